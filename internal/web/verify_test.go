package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
)

// TestVerify_RoomBehindOneAddress: at the end of the day a whole room behind
// one venue NAT scans its certificates' QR codes at once, and every scan is
// answered; a client that keeps hammering /verify is still turned away with
// 429 and a Retry-After it can honour.
func TestVerify_RoomBehindOneAddress(t *testing.T) {
	ts := startServer(t, courses.FS)
	path := ts.URL + "/verify/AAAAAAAAAAAAAAAA.json" // unknown: 404, the same work as a real one

	var wg sync.WaitGroup
	codes := make(chan int, 60)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(path)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	seen := map[int]int{}
	for code := range codes {
		seen[code]++
	}
	if seen[http.StatusNotFound] != 60 {
		t.Fatalf("60 verifications at once from one address: %v, want 60 × 404", seen)
	}

	// Sustained abuse: far more than 10 a second for long.
	var limited *http.Response
	var body string
	for i := 0; i < 2000 && limited == nil; i++ {
		res, b := getWith(t, http.DefaultClient, path)
		switch res.StatusCode {
		case http.StatusNotFound:
		case http.StatusTooManyRequests:
			limited, body = res, b
		default:
			t.Fatalf("request %d: %d %s", i, res.StatusCode, b)
		}
	}
	if limited == nil {
		t.Fatal("2,000 verifications in a row from one address were never limited")
	}
	retry, err := strconv.Atoi(limited.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 60 || !strings.Contains(body, `"too_many_requests"`) {
		t.Fatalf("limited: Retry-After %q, body %s", limited.Header.Get("Retry-After"), body)
	}
	// Honouring Retry-After works.
	time.Sleep(time.Duration(retry) * time.Second)
	if res, b := getWith(t, http.DefaultClient, path); res.StatusCode != http.StatusNotFound {
		t.Errorf("after waiting %ds as told: %d %s", retry, res.StatusCode, b)
	}
}
