package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/ratelimit"
	"github.com/lectern-platform/lectern/internal/store"
)

// signedPDF writes a certificate PDF signed with a new key in dataDir, as the
// issuing server would, and returns its file and the signer.
func signedPDF(t *testing.T, dataDir string) (string, *certify.Signer) {
	t.Helper()
	signer, _, err := certify.LoadOrCreateKey(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Now().UTC().Truncate(time.Second)
	c := &store.Certificate{Serial: "K7QW2M9XPD4TRV8H", Title: "Certificate of attendance", Programme: "Test programme",
		HolderName: "Zoë Ångström", AgencyName: "Swedish Police Authority", CourseTitle: "Tracing virtual assets", CourseHash: "ab12cd",
		SessionDate: issued.Format("2006-01-02"), City: "Stockholm", Country: "SE", Minutes: 150, Trainers: "Anna Schmidt", IssuedAt: issued, Status: "valid"}
	signed, err := signer.Sign(certify.Payload{Serial: c.Serial, Holder: c.HolderName, Agency: c.AgencyName, Course: c.CourseTitle,
		CourseHash: c.CourseHash, SessionDate: c.SessionDate, City: c.City, Country: c.Country, IssuedAt: issued.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	c.Payload, c.Signature = signed.Payload, signed.Signature
	var buf bytes.Buffer
	if err := signer.WritePDF(&buf, c, "https://lectern.example.org"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), c.Serial+".pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, signer
}

// TestVerify_RevocationNotChecked runs `lectern verify FILE.pdf --url` against a
// loopback issuer that publishes the right key but answers the revocation
// lookup badly. An authentic certificate whose revocation could not be checked
// is not reported valid: exit 3; a 429 is retried once, after Retry-After.
func TestVerify_RevocationNotChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	file, signer := signedPDF(t, data)
	pem, err := signer.PublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := json.Marshal(map[string]any{"serial": "K7QW2M9XPD4TRV8H", "status": "valid", "holder_name": "Zoë Ångström",
		"course_title": "Tracing virtual assets", "issued_at": time.Now().UTC().Format(time.RFC3339)})

	type answer func(w http.ResponseWriter, r *http.Request)
	status := func(code int, retryAfter string) answer {
		return func(w http.ResponseWriter, r *http.Request) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(`{"error":{"code":"x","message":"x"}}`))
		}
	}
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(valid)
	}
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	cases := []struct {
		name    string
		answers []answer // one per lookup; the last repeats
		args    []string
		code    int
		out     string
		lookups int
		atLeast time.Duration // between the first and second lookup
		inUnder time.Duration // the whole run
	}{
		{"503", []answer{status(503, "")}, nil, 3, "503", 1, 0, 20 * time.Second},
		{"429, then valid", []answer{status(429, "1"), ok}, nil, 0, "checked with", 2, 900 * time.Millisecond, 20 * time.Second},
		{"429 twice", []answer{status(429, "1")}, nil, 3, "429", 2, 900 * time.Millisecond, 20 * time.Second},
		{"429, retry in an hour", []answer{status(429, "3600")}, nil, 3, "wait 1h0m0s", 1, 0, 5 * time.Second},
		{"no answer", []answer{hang}, []string{"--timeout", "1s"}, 3, "could not be checked", 1, 0, 8 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var at []time.Time
			stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/.well-known/lectern-signing-key":
					json.NewEncoder(w).Encode(map[string]string{"key_id": signer.KeyID, "public_key_pem": string(pem)})
				case "/verify/K7QW2M9XPD4TRV8H.json":
					mu.Lock()
					n := len(at)
					at = append(at, time.Now())
					mu.Unlock()
					tc.answers[min(n, len(tc.answers)-1)](w, r)
				default:
					http.NotFound(w, r)
				}
			}))
			defer stub.Close()
			start := time.Now()
			code, out, errOut := runBinary(t, bin, append([]string{"verify", file, "--data", t.TempDir(), "--url", stub.URL}, tc.args...)...)
			took := time.Since(start)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(out, "Zoë Ångström") {
				t.Errorf("exit %d, want %d with %q\n%s%s", code, tc.code, tc.out, out, errOut)
			}
			if tc.code == 3 && (strings.HasPrefix(out, "VALID") || !strings.HasPrefix(out, "NOT CHECKED")) {
				t.Errorf("revocation not checked, yet:\n%s", out)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(at) != tc.lookups {
				t.Errorf("%d lookups, want %d", len(at), tc.lookups)
			}
			if tc.atLeast > 0 && len(at) > 1 && at[1].Sub(at[0]) < tc.atLeast {
				t.Errorf("retried after %v, the server asked for 1 s", at[1].Sub(at[0]))
			}
			if took > tc.inUnder {
				t.Errorf("took %v", took)
			}
		})
	}
}

// TestVerify_ErasedHolder runs `lectern verify` against an issuer that erased
// the holder's data (privacy.ErasePrintedName): the PDF's signature is good,
// but the issuer can no longer confirm the name on it, so neither the PDF nor
// the serial is reported valid: NOT CONFIRMED, exit 1, with the erasure date.
func TestVerify_ErasedHolder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	file, signer := signedPDF(t, t.TempDir())
	pem, err := signer.PublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	erased, _ := json.Marshal(map[string]any{"serial": "K7QW2M9XPD4TRV8H", "status": certify.StatusErased, "holder_name": "",
		"course_title": "Tracing virtual assets", "issued_at": time.Now().UTC().Format(time.RFC3339), "erased_at": "2026-12-06T10:00:00Z"})
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/lectern-signing-key":
			json.NewEncoder(w).Encode(map[string]string{"key_id": signer.KeyID, "public_key_pem": string(pem)})
		case "/verify/K7QW2M9XPD4TRV8H.json", "/verify/K7QW2M7XPD4TRV6H.json": // the PDF's, and one typed
			w.Header().Set("Content-Type", "application/json")
			w.Write(erased)
		default:
			http.NotFound(w, r)
		}
	}))
	defer stub.Close()
	for name, args := range map[string][]string{
		"PDF":    {"verify", file, "--data", t.TempDir(), "--url", stub.URL},
		"serial": {"verify", "K7QW2M7XPD4TRV6H", "--url", stub.URL},
	} {
		code, out, errOut := runBinary(t, bin, args...)
		if code != 1 || !strings.HasPrefix(out, "NOT CONFIRMED (holder's data erased: name not confirmable)") ||
			!strings.Contains(out, "erased on 2026-12-06 at their request") || strings.Contains(out, "VALID") {
			t.Errorf("%s: exit %d, want 1, NOT CONFIRMED and the erasure date\n%s%s", name, code, out, errOut)
		}
	}
}

// With several processes on PostgreSQL the per-address window is shared and a
// 429's Retry-After is the rest of it, up to ratelimit.AddressWindow: verify
// must wait that out, not give up. (The wait is cut short here by cancelling:
// a verify that gave up returns its refusal at once instead.)
func TestGetJSON_WaitsOutTheSharedWindow(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		waits      bool
	}{
		{strconv.Itoa(int(ratelimit.AddressWindow / time.Second)), true},
		{"3600", false},
	} {
		stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", tc.retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
		}))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		var out any
		_, err := getJSON(ctx, stub.Client(), stub.URL+"/verify/K7QW2M9XPD4TRV8H.json", &out)
		cancel()
		stub.Close()
		if waited := errors.Is(err, context.DeadlineExceeded); waited != tc.waits {
			t.Errorf("Retry-After: %s: getJSON = %v; want waiting it out %v", tc.retryAfter, err, tc.waits)
		}
	}
}
