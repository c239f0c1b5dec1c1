package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestTrainingDay_HashesPerOfficer scripts one officer's training day with the
// default 2 h idle timeout and counts the password hashes it costs the server:
// signed in at 08:30, reading until 10:30, then away (the trainer presents,
// lunch) until the afternoon quiz at 12:45, when the whole hall comes back at
// once; last request 16:30. On a shared device the idle timeout signs the
// officer out over lunch, so the afternoon quiz costs a second hash at its
// busiest moment; on a device the officer chose to keep ("this is my own
// device"), the morning's sign-in lasts the day: one hash. The kept session
// still ends at its lifetime (12 h), and its pages carry no idle sign-out.
func TestTrainingDay_HashesPerOfficer(t *testing.T) {
	hashes := map[bool]int32{}
	for _, keep := range []bool{false, true} {
		w := newWorld(t)
		ts := w.ts
		ts.Server.opts.IdleTimeout = 2 * time.Hour
		ts.Server.accounts.IdleTimeout = 2 * time.Hour
		var checks atomic.Int32
		ts.Accounts.SetRefuseHash(func() bool { checks.Add(1); return false })
		day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
		at := func(hhmm string) {
			d, _ := time.Parse("15:04", hhmm)
			now := day.Add(time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute)
			ts.Server.accounts.SetClock(func() time.Time { return now })
		}
		browser := newBrowser()
		signIn := func() {
			form := url.Values{"email": {w.officerA.Email}, "password": {w.officerA.Password}}
			if keep {
				form.Set("keep", "on")
			}
			if res := submitForm(t, browser, ts.URL+"/login", ts.URL+"/login", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in (keep %v): %d", keep, res.StatusCode)
			}
		}
		// open reads a page as the officer, signing in again when the sign-in
		// page is what comes back.
		open := func(hhmm string) {
			at(hhmm)
			if res, _ := getWith(t, browser, ts.URL+"/sessions"); res.StatusCode != http.StatusOK {
				signIn()
			}
		}
		at("08:30")
		signIn()
		if _, body := getWith(t, browser, ts.URL+"/"); strings.Contains(body, "data-idle-seconds") == keep {
			t.Errorf("keep %v: the page carries idle seconds: %v", keep, !keep)
		}
		for _, hhmm := range []string{"08:50", "09:10", "09:30", "09:50", "10:10", "10:30",
			"12:45", "13:05", "13:25", "14:00", "14:40", "15:20", "16:00", "16:30"} {
			open(hhmm)
		}
		hashes[keep] = checks.Load()
		// A kept session still ends with its lifetime, the training day.
		at("20:31")
		if res, _ := getWith(t, browser, ts.URL+"/sessions"); res.StatusCode == http.StatusOK {
			t.Errorf("keep %v: signed in 12 h after signing in", keep)
		}
	}
	t.Logf("password hashes per officer per training day (2 h idle timeout, away 10:30–12:45): shared device %d, own device kept %d", hashes[false], hashes[true])
	if hashes[false] != 2 || hashes[true] != 1 {
		t.Errorf("hashes per training day: shared %d (want 2), kept %d (want 1)", hashes[false], hashes[true])
	}
}
