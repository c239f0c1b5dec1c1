package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/store"
)

// writeCloseCourse writes a folder of courses holding one small course whose
// certificate needs attendance only, so closing needs no quiz attempts.
func writeCloseCourse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"course.md": "---\ntitle: Closing under fire\nsummary: One module, for the kill -9 close test.\nlanguage: en\n" +
			"audience: Test officers.\ncertificate:\n  title: Certificate of attendance\n  requires: [attendance]\n  valid_for: 2y\n---\n\nThe overview.\n",
		"01-day.md": "---\ntitle: The day\nduration: 6h\n---\n\nA day in the room.\n",
	}
	if err := os.MkdirAll(filepath.Join(dir, "kill-close"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, "kill-close", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// closeSession is one session of the test, with who must get a certificate.
type closeSession struct {
	id       int64
	eligible map[int64]bool // user ids marked present or late
}

type listedCert struct {
	Serial    string `json:"serial"`
	SessionID int64  `json:"session_id"`
	UserID    int64  `json:"user_id"`
	Status    string `json:"status"`
}

// checkCerts lists a session's certificates as admin and checks that nobody has
// two and that only eligible officers have one. It returns how many there are.
func checkCerts(t *testing.T, admin *apiClient, s closeSession, when string) int {
	t.Helper()
	var list []listedCert
	if _, err := admin.do("GET", fmt.Sprintf("/api/v1/certificates?session_id=%d", s.id), nil, "", &list); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	seen := map[int64]bool{}
	for _, c := range list {
		switch {
		case c.SessionID != s.id:
			t.Errorf("%s: certificate %s of session %d listed for session %d", when, c.Serial, c.SessionID, s.id)
		case seen[c.UserID]:
			t.Errorf("%s: officer %d has two certificates for session %d", when, c.UserID, s.id)
		case !s.eligible[c.UserID]:
			t.Errorf("%s: officer %d is not eligible but has certificate %s", when, c.UserID, c.Serial)
		case c.Status != "valid":
			t.Errorf("%s: certificate %s is %q", when, c.Serial, c.Status)
		}
		seen[c.UserID] = true
	}
	return len(list)
}

func sessionStatus(t *testing.T, admin *apiClient, id int64) string {
	t.Helper()
	var s struct{ Status string }
	if _, err := admin.do("GET", fmt.Sprintf("/api/v1/sessions/%d", id), nil, "", &s); err != nil {
		t.Fatal(err)
	}
	return s.Status
}

// closeAudits counts the session.close events of a session in the audit log.
func closeAudits(t *testing.T, admin *apiClient, id int64) int {
	t.Helper()
	var events []struct{ Action string }
	if _, err := admin.do("GET", fmt.Sprintf("/api/v1/audit?session_id=%d&limit=1000", id), nil, "", &events); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == "session.close" {
			n++
		}
	}
	return n
}

// TestDurability_KillDuringClose closes sessions of a few hundred officers on the
// real binary, kills it with SIGKILL at a random moment during or just after the
// close, restarts it on the same data directory, and checks that the certificates
// were issued all or nothing, that nothing acknowledged was lost, that closing
// again completes the set without duplicates, and that every payload verifies.
func TestDurability_KillDuringClose(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and closes sessions of a few hundred officers")
	}
	const (
		officers = 300
		rounds   = 6 // killed closes; session 0 is closed without a kill, to time a close
	)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 9))

	bin := buildBinary(t)
	began := time.Now()
	data := t.TempDir()
	args := []string{"--data", data, "--courses", writeCloseCourse(t)}
	cmd, base, _ := startBinary(t, bin, args...)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	admin := login(t, base, testAdminEmail, testAdminPassword, hc)

	var agency struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/agencies", map[string]string{"name": "Close Agency", "country": "SE"}, "", &agency); err != nil {
		t.Fatal(err)
	}
	var roster strings.Builder
	roster.WriteString("email,name,agency_id\n")
	for i := 0; i < officers; i++ {
		fmt.Fprintf(&roster, "o%03d@close.example,Officer %d,%d\n", i, i, agency.ID)
	}
	// A date ahead in a fixed zone: closing does not depend on the day, and the
	// API refuses only dates in the past.
	date := time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")
	sessions := make([]closeSession, rounds+1)
	for r := range sessions {
		var ts struct{ ID int64 }
		if _, err := admin.do("POST", "/api/v1/sessions", map[string]any{"course": "kill-close", "date": date, "start": "09:00", "end": "17:00",
			"timezone": "Europe/Stockholm", "venue": "Hall", "city": "Stockholm", "country": "SE", "capacity": officers}, "", &ts); err != nil {
			t.Fatal(err)
		}
		var imported struct{ Created, Enrolled, Waitlisted int }
		if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/roster", ts.ID), roster.String(), "text/csv", &imported); err != nil {
			t.Fatal(err)
		}
		if imported.Enrolled != officers || (r == 0 && imported.Created != officers) {
			t.Fatalf("roster import: %+v", imported)
		}
		var enrolled []struct {
			UserID int64 `json:"user_id"`
			Email  string
		}
		if _, err := admin.do("GET", fmt.Sprintf("/api/v1/sessions/%d/enrollments", ts.ID), nil, "", &enrolled); err != nil {
			t.Fatal(err)
		}
		// Seven in ten present or late; the rest absent, excused or never marked.
		s := closeSession{id: ts.ID, eligible: map[int64]bool{}}
		marks := map[int64]string{}
		for _, e := range enrolled {
			var i int
			fmt.Sscanf(e.Email, "o%d@", &i)
			switch (i + r) % 10 {
			case 0, 1, 2, 3, 4:
				marks[e.UserID] = "present"
			case 5, 6:
				marks[e.UserID] = "late"
			case 7:
				marks[e.UserID] = "absent"
			case 8:
				marks[e.UserID] = "excused"
			}
			if m := marks[e.UserID]; m == "present" || m == "late" {
				s.eligible[e.UserID] = true
			}
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for uid, status := range marks {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if _, err := admin.do("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", ts.ID, uid), map[string]string{"status": status}, "", nil); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		sessions[r] = s
	}
	t.Logf("set up %d sessions of %d officers in %v", len(sessions), officers, time.Since(began).Round(time.Millisecond))

	// Session 0: an ordinary close, to learn how long one takes.
	var out struct{ Issued int }
	start := time.Now()
	if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", sessions[0].id), nil, "", &out); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if want := len(sessions[0].eligible); out.Issued != want || checkCerts(t, admin, sessions[0], "ordinary close") != want {
		t.Fatalf("ordinary close issued %d, want %d", out.Issued, want)
	}
	t.Logf("an ordinary close issued %d certificates in %v", out.Issued, took.Round(time.Microsecond))

	// Each killed close draws its delay from its own slice of [0, 1.5 × that time],
	// so the kills spread from before the request lands to after the answer.
	window := took * 3 / 2
	var acked, committed, none int
	for r := 1; r <= rounds; r++ {
		s := sessions[r]
		want := len(s.eligible)
		slice := window / rounds
		delay := slice*time.Duration(r-1) + time.Duration(rng.Int64N(int64(slice)+1))
		// A connection of its own, so the kill cannot disturb other requests' pools.
		closer := &apiClient{base: base, token: admin.token, http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}}
		type result struct {
			issued int
			status int
			err    error
		}
		done := make(chan result, 1)
		go func() {
			var out struct{ Issued int }
			status, err := closer.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", s.id), nil, "", &out)
			done <- result{out.Issued, status, err}
		}()
		time.Sleep(delay)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no rollback by the server
			t.Fatal(err)
		}
		cmd.Wait()
		res := <-done
		if res.err != nil && res.status != 0 {
			t.Fatalf("round %d: the close was refused before the kill: %v", r, res.err)
		}

		cmd, base, _ = startBinary(t, bin, args...)
		admin.base = base // tokens live in the database: they survive the restart
		when := fmt.Sprintf("round %d, after a kill %v into the close", r, delay.Round(time.Microsecond))
		found := checkCerts(t, admin, s, when)
		status, audits := sessionStatus(t, admin, s.id), closeAudits(t, admin, s.id)
		switch {
		case res.err == nil:
			acked++
			if res.issued != want || found != want {
				t.Errorf("%s: the close answered {\"issued\":%d} for %d eligible officers; %d certificates after restart", when, res.issued, want, found)
			}
		case found == want:
			committed++
		case found == 0:
			none++
		default:
			t.Errorf("%s: %d of %d certificates: a partial issue", when, found, want)
		}
		// The status and the audit event commit with the certificates, or not at all.
		if closed := found > 0; closed != (status == "closed") || closed != (audits == 1) || audits > 1 {
			t.Errorf("%s: %d certificates, but session status %q and %d session.close audit events", when, found, status, audits)
		}

		var again struct{ Issued int }
		if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", s.id), nil, "", &again); err != nil {
			t.Fatalf("%s: closing again: %v", when, err)
		}
		if found+again.Issued != want {
			t.Errorf("%s: %d certificates found and %d issued by closing again, for %d eligible officers", when, found, again.Issued, want)
		}
		if n := checkCerts(t, admin, s, when+", closed again"); n != want {
			t.Errorf("%s, closed again: %d certificates, want %d", when, n, want)
		}
		if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", s.id), nil, "", &again); err != nil || again.Issued != 0 {
			t.Errorf("%s: a third close issued %d (%v), want 0", when, again.Issued, err)
		}
		t.Logf("round %d: killed %v into the close (%v window): acknowledged=%v, %d of %d certificates after restart",
			r, delay.Round(time.Microsecond), window.Round(time.Microsecond), res.err == nil, found, want)
	}
	t.Logf("%d killed closes: %d acknowledged, %d committed unacknowledged, %d not committed", rounds, acked, committed, none)

	// Every certificate's signed payload verifies against the published key.
	res, err := hc.Get(base + "/.well-known/lectern-signing-key")
	if err != nil {
		t.Fatal(err)
	}
	wellKnown, _ := io.ReadAll(res.Body)
	res.Body.Close()
	pub, err := certify.ParsePublicKey(wellKnown)
	if err != nil {
		t.Fatalf("published key: %v", err)
	}
	trusted := map[string]ed25519.PublicKey{certify.KeyID(pub): pub}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	db, err := store.Open(context.Background(), filepath.Join(data, "lectern.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total, want := 0, 0
	for _, s := range sessions {
		certs, err := db.Read(context.Background()).Certificates(store.CertificateFilter{SessionID: &s.id})
		if err != nil {
			t.Fatal(err)
		}
		users := map[int64]bool{}
		for _, c := range certs {
			p, err := certify.Verify(certify.Signed{Payload: json.RawMessage(c.Payload), Signature: c.Signature}, trusted)
			switch {
			case err != nil:
				t.Errorf("certificate %s: %v", c.Serial, err)
			case p.Serial != c.Serial || p.Holder != c.HolderName || p.SessionDate != date:
				t.Errorf("certificate %s: signed payload %+v does not match the row", c.Serial, p)
			}
			users[c.UserID] = true
		}
		if len(users) != len(certs) || len(certs) != len(s.eligible) {
			t.Errorf("session %d: %d certificates for %d officers, %d eligible", s.id, len(certs), len(users), len(s.eligible))
		}
		total += len(certs)
		want += len(s.eligible)
	}
	t.Logf("%d certificates verified (%d expected) in %v", total, want, time.Since(began).Round(time.Millisecond))
}
