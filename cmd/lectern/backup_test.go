package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

// writeBackupCourse writes a folder of courses holding one small course: a
// module with a quiz of single-choice questions to autosave, and a certificate
// that needs attendance only, so a session closes without attempts.
func writeBackupCourse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var quiz strings.Builder
	quiz.WriteString("---\ntitle: The day quiz\ntime_limit: 60m\n---\n\n")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&quiz, "## Question %d?\n\n- [x] Yes %d\n- [ ] No %d\n- [ ] Maybe %d\n\n", i, i, i, i)
	}
	files := map[string]string{
		"course.md": "---\ntitle: Backup day\nsummary: One module and its quiz, for the backup test.\nlanguage: en\n" +
			"audience: Test officers.\ncertificate:\n  title: Certificate of attendance\n  requires: [attendance]\n  valid_for: 2y\n---\n\nThe overview.\n",
		"01-day.md":      "---\ntitle: The day\nduration: 6h\n---\n\nA day in the room.\n",
		"01-day.quiz.md": quiz.String(),
	}
	if err := os.MkdirAll(filepath.Join(dir, "backup-day"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, "backup-day", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runLectern runs the built binary and returns its exit code and its output,
// standard output and error together.
func runLectern(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	code, stdout, stderr := runBinary(t, bin, args...)
	return code, stdout + stderr
}

// TestBackup_UnderWriteLoadRestoresEveryAcknowledgedAnswer runs officers
// autosaving against the real binary, takes `lectern backup` while they save,
// restores it into a fresh data directory, starts a server there and checks
// that every answer acknowledged before the backup began is in it, and that a
// certificate issued before the backup verifies with the restored key.
func TestBackup_UnderWriteLoadRestoresEveryAcknowledgedAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs officers autosaving during a backup")
	}
	const officers = 40
	began := time.Now()
	bin := buildBinary(t)
	data := t.TempDir()
	courses := writeBackupCourse(t)
	server, base, _ := startBinary(t, bin, "--data", data, "--courses", courses)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: officers}}
	admin := login(t, base, testAdminEmail, testAdminPassword, hc)

	var agency struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/agencies", map[string]string{"name": "Backup Agency", "country": "SE"}, "", &agency); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var roster strings.Builder
	roster.WriteString("email,name,agency_id\n")
	for i := 0; i < officers; i++ {
		fmt.Fprintf(&roster, "o%03d@backup.example,Officer %d,%d\n", i, i, agency.ID)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := admin.do("POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("o%03d@backup.example", i), "name": fmt.Sprintf("Officer %d", i),
				"role": "officer", "agency_id": agency.ID, "password": "officer password"}, "", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// A past-style session, closed before the backup: its certificates are
	// signed with the key the backup must carry.
	var closed struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/sessions", map[string]any{"course": "backup-day", "date": time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02"),
		"start": "09:00", "end": "17:00", "timezone": "Europe/Stockholm", "venue": "Hall", "city": "Stockholm", "country": "SE", "capacity": 10}, "", &closed); err != nil {
		t.Fatal(err)
	}
	few := strings.Join(strings.Split(roster.String(), "\n")[:4], "\n") + "\n"
	if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/roster", closed.ID), few, "text/csv", nil); err != nil {
		t.Fatal(err)
	}
	var enrolled []struct {
		UserID int64 `json:"user_id"`
	}
	if _, err := admin.do("GET", fmt.Sprintf("/api/v1/sessions/%d/enrollments", closed.ID), nil, "", &enrolled); err != nil {
		t.Fatal(err)
	}
	for _, e := range enrolled {
		if _, err := admin.do("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", closed.ID, e.UserID), map[string]string{"status": "present"}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	var issued struct{ Issued int }
	if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", closed.ID), nil, "", &issued); err != nil || issued.Issued != 3 {
		t.Fatalf("close: issued %d, %v", issued.Issued, err)
	}
	var certs []listedCert
	if _, err := admin.do("GET", fmt.Sprintf("/api/v1/certificates?session_id=%d", closed.ID), nil, "", &certs); err != nil || len(certs) == 0 {
		t.Fatalf("certificates: %v, %v", certs, err)
	}
	pdf := filepath.Join(t.TempDir(), "cert.pdf")
	req, _ := http.NewRequest("GET", base+"/api/v1/certificates/"+certs[0].Serial+".pdf", nil)
	req.Header.Set("Authorization", "Bearer "+admin.token)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.HasPrefix(doc, []byte("%PDF")) {
		t.Fatalf("certificate PDF: %d", res.StatusCode)
	}
	os.WriteFile(pdf, doc, 0o600)

	// Today's session, in progress, where everyone takes the quiz.
	zone, date := noonZone(time.Now())
	var session struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/sessions", map[string]any{"course": "backup-day", "date": date, "start": "00:00", "end": "23:59",
		"timezone": zone, "venue": "Hall", "city": "Stockholm", "country": "SE", "capacity": officers}, "", &session); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/roster", session.ID), roster.String(), "text/csv", nil); err != nil {
		t.Fatal(err)
	}
	type officerState struct {
		client   *apiClient
		attempt  int64
		question []string
		choices  map[string][]string
		acked    map[string]sentAnswer       // acknowledged before the backup began
		sent     map[string]map[int64]string // question → seq → choice
	}
	states := make([]*officerState, officers)
	for i := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st := &officerState{client: login(t, base, fmt.Sprintf("o%03d@backup.example", i), "officer password", hc),
				choices: map[string][]string{}, acked: map[string]sentAnswer{}, sent: map[string]map[int64]string{}}
			var att struct {
				ID        int64
				Questions []struct {
					ID      string
					Choices []struct{ ID string }
				}
			}
			if _, err := st.client.do("POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-day/attempts", session.ID), nil, "", &att); err != nil {
				t.Error(err)
				return
			}
			st.attempt = att.ID
			for _, q := range att.Questions {
				st.question = append(st.question, q.ID)
				for _, c := range q.Choices {
					st.choices[q.ID] = append(st.choices[q.ID], c.ID)
				}
				st.sent[q.ID] = map[int64]string{}
			}
			states[i] = st
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("set up %d officers, 3 certificates, in %v", officers, time.Since(began).Round(time.Millisecond))

	// Autosave; an answer counts as acknowledged before the backup if its
	// response arrived before backupStarted was set.
	var mu sync.Mutex
	backupStarted, backupDone := false, false
	var ackedBefore, ackedDuring, ackedAfter int
	var worstDuring time.Duration
	stop := make(chan struct{})
	for _, st := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(st.attempt), 11))
			for seq := int64(1); ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				q := st.question[rng.IntN(len(st.question))]
				choice := st.choices[q][rng.IntN(len(st.choices[q]))]
				mu.Lock()
				st.sent[q][seq] = choice
				mu.Unlock()
				var saved struct {
					Seq    int64
					Answer struct{ Choices []string }
				}
				sentAt := time.Now()
				if _, err := st.client.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", st.attempt, q), map[string]any{"choices": []string{choice}, "seq": seq}, "", &saved); err != nil {
					t.Errorf("autosave: %v", err)
					return
				}
				took := time.Since(sentAt)
				mu.Lock()
				if !backupStarted {
					if saved.Seq >= st.acked[q].seq && len(saved.Answer.Choices) == 1 {
						st.acked[q] = sentAnswer{seq: saved.Seq, choice: saved.Answer.Choices[0]}
					}
					ackedBefore++
				} else if !backupDone {
					ackedDuring++
					worstDuring = max(worstDuring, took)
				} else {
					ackedAfter++
				}
				mu.Unlock()
				time.Sleep(time.Duration(rng.IntN(10)) * time.Millisecond)
			}
		}()
	}
	time.Sleep(800 * time.Millisecond)
	backupFile := filepath.Join(t.TempDir(), "lectern-backup.tar.gz")
	mu.Lock()
	backupStarted = true
	mu.Unlock()
	backupBegan := time.Now()
	code, out := runLectern(t, bin, "backup", backupFile, "--data", data)
	backupTook := time.Since(backupBegan)
	mu.Lock()
	backupDone = true
	mu.Unlock()
	time.Sleep(200 * time.Millisecond) // the load goes on after the backup too
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("lectern backup: exit %d\n%s", code, out)
	}
	mu.Lock()
	t.Logf("%d saves acknowledged before the backup, %d while `lectern backup` ran, %d after; it took %v (worst save meanwhile %v): %s",
		ackedBefore, ackedDuring, ackedAfter, backupTook.Round(time.Millisecond), worstDuring.Round(time.Millisecond), strings.TrimSpace(out))
	if ackedBefore < officers || ackedDuring == 0 {
		t.Fatalf("the load did not run around the backup (%d before, %d during)", ackedBefore, ackedDuring)
	}
	mu.Unlock()
	if st, err := os.Stat(backupFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, st.Mode())
	}

	// While the server runs, restoring over its data directory is refused.
	keyBefore, _ := os.ReadFile(filepath.Join(data, certify.KeyFileName))
	if code, out := runLectern(t, bin, "restore", backupFile, "--data", data, "--force"); code != 1 || !strings.Contains(out, "stop the server") {
		t.Errorf("restore over a running server's data: exit %d\n%s", code, out)
	}
	if keyAfter, _ := os.ReadFile(filepath.Join(data, certify.KeyFileName)); !bytes.Equal(keyBefore, keyAfter) {
		t.Errorf("a refused restore changed the running server's key")
	}
	server.Process.Kill()
	server.Wait()

	restored := filepath.Join(t.TempDir(), "restored")
	restoreBegan := time.Now()
	if code, out := runLectern(t, bin, "restore", backupFile, "--data", restored); code != 0 {
		t.Fatalf("lectern restore: exit %d\n%s", code, out)
	}
	t.Logf("restore took %v", time.Since(restoreBegan).Round(time.Millisecond))
	_, base2, _ := startBinary(t, bin, "--data", restored, "--courses", courses)
	lost, newer := 0, 0
	for _, st := range states {
		st.client.base = base2 // tokens live in the database: they are in the backup
		var got struct {
			Answers map[string]struct {
				Seq    int64
				Answer struct{ Choices []string }
			}
		}
		if _, err := st.client.do("GET", fmt.Sprintf("/api/v1/attempts/%d", st.attempt), nil, "", &got); err != nil {
			t.Fatal(err)
		}
		for q, ack := range st.acked {
			stored, ok := got.Answers[q]
			switch {
			case !ok || stored.Seq < ack.seq:
				lost++
			case stored.Seq == ack.seq && (len(stored.Answer.Choices) != 1 || stored.Answer.Choices[0] != ack.choice):
				lost++
			case stored.Seq > ack.seq:
				newer++ // saved after the backup began, before its snapshot: it must be what was sent
				if len(stored.Answer.Choices) != 1 || stored.Answer.Choices[0] != st.sent[q][stored.Seq] {
					lost++
				}
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d answers acknowledged before the backup are missing or wrong after the restore", lost)
	}
	t.Logf("restored server: every answer acknowledged before the backup is there (%d questions hold a later save, taken before the snapshot)", newer)

	// The certificate issued before the backup verifies offline against the
	// restored key, and the restored server publishes that key and knows it.
	if code, out := runLectern(t, bin, "verify", pdf, "--data", restored); code != 0 || !strings.Contains(out, "VALID") {
		t.Errorf("lectern verify with the restored key: exit %d\n%s", code, out)
	}
	var public struct{ Status string }
	if _, err := (&apiClient{base: base2, http: hc}).do("GET", "/verify/"+certs[0].Serial+".json", nil, "", &public); err != nil || public.Status != "valid" {
		t.Errorf("restored server verifies %s as %q (%v)", certs[0].Serial, public.Status, err)
	}
	t.Logf("whole test %v", time.Since(began).Round(time.Millisecond))
}

// TestBackup_CommandRefusals runs `lectern backup` and `lectern restore` with
// bad inputs: each gets a clear message and changes nothing.
func TestBackup_CommandRefusals(t *testing.T) {
	t.Setenv("LECTERN_SIGNING_KEY_FILE", "")
	t.Setenv("LECTERN_DATABASE_URL", "")
	ctx := context.Background()
	src := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(src, "lectern.db"), newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, _, err := certify.LoadOrCreateKey(src, ""); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	if code, stdout, stderr := runCmd(t, "backup", out, "--data", src); code != 0 || !strings.Contains(stdout, "backed up") {
		t.Fatalf("backup: exit %d, %s%s", code, stdout, stderr)
	}
	good, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("backup usage", func(t *testing.T) {
		if code, _, stderr := runCmd(t, "backup", "--data", src); code != 2 || !strings.Contains(stderr, "usage: lectern backup FILE") {
			t.Errorf("exit %d, %q", code, stderr)
		}
	})
	t.Run("backup without a database", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "b.tar.gz")
		code, _, stderr := runCmd(t, "backup", out, "--data", filepath.Join(t.TempDir(), "nothing"))
		if code != 1 || !strings.Contains(stderr, "no database") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("a backup file was written")
		}
	})
	t.Run("backup of PostgreSQL", func(t *testing.T) {
		code, _, stderr := runCmd(t, "backup", filepath.Join(t.TempDir(), "b.tar.gz"), "--database", "postgres://lectern@db.example/lectern")
		if code != 1 || !strings.Contains(stderr, "pg_dump") || !strings.Contains(stderr, "signing key") {
			t.Errorf("exit %d, %q", code, stderr)
		}
	})
	t.Run("restore a missing file", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "data")
		code, _, stderr := runCmd(t, "restore", filepath.Join(t.TempDir(), "none.tar.gz"), "--data", target)
		if code != 1 || !strings.Contains(stderr, "no such file") || !strings.Contains(stderr, "Nothing was restored") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("the target was created")
		}
	})
	t.Run("restore a corrupt file", func(t *testing.T) {
		for _, at := range []int{len(good) / 4, len(good) / 2, 3 * len(good) / 4} {
			bad := bytes.Clone(good)
			bad[at] ^= 0x10
			file := filepath.Join(t.TempDir(), "bad.tar.gz")
			os.WriteFile(file, bad, 0o600)
			target := filepath.Join(t.TempDir(), "data")
			code, _, stderr := runCmd(t, "restore", file, "--data", target)
			if code != 1 || !strings.Contains(stderr, "damaged") || !strings.Contains(stderr, "Nothing was restored") {
				t.Errorf("byte %d flipped: exit %d, %q", at, code, stderr)
			}
			if _, err := os.Stat(target); err == nil {
				t.Errorf("byte %d flipped: the target was created", at)
			}
		}
	})
	t.Run("restore into a non-empty directory", func(t *testing.T) {
		target := t.TempDir()
		os.WriteFile(filepath.Join(target, "lectern.db"), []byte("precious"), 0o600)
		code, _, stderr := runCmd(t, "restore", out, "--data", target)
		if code != 1 || !strings.Contains(stderr, "--force") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(target, "lectern.db")); string(b) != "precious" {
			t.Errorf("the existing database was touched")
		}
		code, stdout, stderr := runCmd(t, "restore", "--force", "--data", target, out)
		if code != 0 || !strings.Contains(stdout, "pre-restore-") {
			t.Fatalf("--force: exit %d, %s%s", code, stdout, stderr)
		}
		aside, _ := filepath.Glob(filepath.Join(target, "pre-restore-*", "lectern.db"))
		if len(aside) != 1 {
			t.Fatalf("old database not kept aside: %v", aside)
		}
		if b, _ := os.ReadFile(aside[0]); string(b) != "precious" {
			t.Errorf("the database kept aside is not the old one")
		}
		if _, err := store.CheckSQLite(ctx, filepath.Join(target, "lectern.db")); err != nil {
			t.Errorf("restored database: %v", err)
		}
	})
}
