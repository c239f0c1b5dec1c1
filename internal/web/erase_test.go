package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
)

// The erased officer: every string that identifies them, distinctive enough
// that finding one anywhere in the database file means it was left behind.
var eraseTarget = struct{ name, given, family, latin, email string }{
	"Zéphyrine Quandt-Oyelaran", "Zéphyrine", "Quandt-Oyelaran", "Zefirina Kvandtoyelaran", "Zephyrine.Quandt@Brigade-Financiere.example",
}

func (e *erasureDay) needles() []string {
	t := eraseTarget
	return []string{t.name, t.given, t.family, t.latin, t.email, strings.ToLower(t.email), strings.ToLower(t.name), strings.ToLower(t.latin)}
}

// erasureDay is one officer's whole day (enrolled, checked in, quizzes with a
// short answer, a certificate, a failed sign-in, a reset link, e-mails, audit
// events), ready to be erased.
type erasureDay struct {
	*quizWorld
	officerID   int64
	officerTok  string
	officerWeb  *http.Client
	admin       string
	serial      string
	analysis    attempt.Analysis
	resultRows  int
	auditEvents int64
}

func newErasureDay(t *testing.T, ts *testServer) *erasureDay {
	t.Helper()
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	e := &erasureDay{quizWorld: qw, admin: ts.token(t, qw.admin)}
	tgt := eraseTarget
	res, body := ts.api(t, e.admin, "POST", "/api/v1/users", map[string]any{"email": tgt.email, "name": tgt.name, "given_name": tgt.given,
		"family_name": tgt.family, "latin_name": tgt.latin, "role": "officer", "agency_id": qw.agencyA.ID, "password": testPassword})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create the officer: %d %s", res.StatusCode, body)
	}
	e.officerID = decode[struct{ ID int64 }](t, body).ID
	cred := credentials{tgt.email, testPassword}
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": e.officerID}); res.StatusCode != http.StatusCreated {
		t.Fatalf("enrol: %d %s", res.StatusCode, body)
	}
	qw.at(time.Hour)
	e.officerTok = ts.token(t, cred)
	e.officerWeb = ts.browser(t, cred)
	sessionPath := fmt.Sprintf("/api/v1/sessions/%d", qw.sessionID)
	// A wrong check-in code, then the trainer's mark; a calendar feed; a
	// failed sign-in (the address typed in capitals); a reset link asked for.
	ts.api(t, e.officerTok, "POST", sessionPath+"/checkin", map[string]string{"code": "000000"})
	if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("%s/attendance/%d", sessionPath, e.officerID), map[string]string{"status": "present"}); res.StatusCode != http.StatusOK {
		t.Fatalf("attendance: %d %s", res.StatusCode, body)
	}
	ts.api(t, e.officerTok, "POST", "/api/v1/me/calendar/rotate", nil)
	if res, _ := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": strings.ToUpper(tgt.email), "password": "wrong password"}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("failed sign-in: %d", res.StatusCode)
	}
	submitForm(t, newBrowser(), ts.URL+"/reset", ts.URL+"/reset", url.Values{"email": {tgt.email}})

	// The quiz, all right; the short answer first typed as their own name
	// (an overwritten value must not survive in the file either).
	v := qw.start(t, e.officerTok)
	answers := []struct {
		q    string
		body map[string]any
	}{
		{"type", map[string]any{"text": tgt.name + " " + tgt.email, "seq": 1}},
		{"pick", map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}, "seq": 1}},
		{"type", map[string]any{"text": "SHORT-ANSWER-2b8", "seq": 2}},
		{"count", map[string]any{"number": 4242, "seq": 1}},
	}
	for _, a := range answers {
		if res, body := ts.api(t, e.officerTok, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, a.q), a.body); res.StatusCode != http.StatusOK {
			t.Fatalf("answer %s: %d %s", a.q, res.StatusCode, body)
		}
	}
	if res, body := ts.api(t, e.officerTok, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	// Officer B gets the choice wrong: the analysis has a spread to keep.
	b := qw.start(t, qw.officerB)
	ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", b.ID), map[string]any{"choices": []string{choiceID(b, "pick", "WRONG")}})
	ts.api(t, qw.officerB, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", b.ID), nil)

	qw.at(9 * time.Hour)
	if res, body := ts.api(t, qw.trainerTok, "POST", sessionPath+"/close", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	certs, err := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{UserID: &e.officerID})
	if err != nil || len(certs) != 1 || certs[0].HolderName != tgt.name {
		t.Fatalf("the officer's certificate: %+v %v", certs, err)
	}
	e.serial = certs[0].Serial
	// Downloaded once, its PDF is kept in the cache of rendered PDFs (named,
	// compressed: the file scan would not find the name there).
	if res, body := ts.api(t, e.admin, "GET", "/api/v1/certificates/"+e.serial+".pdf", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("the officer's certificate PDF: %d %s", res.StatusCode, body)
	}
	if n := e.count(t, "certificate_pdfs", "serial = '"+e.serial+"'"); n != 1 {
		t.Fatalf("%d cached PDFs of the certificate after a download, want 1", n)
	}
	if due, err := e.dueCertificates(); err != nil || len(due) != 1 {
		t.Fatalf("the officer's certificate is not due for recertification within two years: %d %v", len(due), err)
	}
	e.analysis, e.resultRows = e.figures(t)
	if e.analysis.Submitted != 2 {
		t.Fatalf("analysis before the erasure: %+v", e.analysis)
	}
	// A sign-in event about the officer recorded their address (as
	// activation and password resets do).
	officerID := e.officerID
	if err := e.ts.DB.Tx(context.Background(), func(q store.Q) error {
		return q.Audit(&store.AuditEvent{At: time.Now().UTC(), ActorID: &officerID, Action: "user.reset", UserID: &officerID, After: `{"client":"198.51.100.23"}`})
	}); err != nil {
		t.Fatal(err)
	}
	e.auditEvents = e.count(t, "audit_events", "")
	for _, table := range []string{"outbox", "one_time_tokens", "login_failures", "checkin_failures", "audit_events", "login_sessions"} {
		if e.count(t, table, "") == 0 {
			t.Errorf("the day left no row in %s to erase: the test would prove less", table)
		}
	}
	return e
}

// dueCertificates is the officer's certificates due for recertification
// within two years of the session: what reminders and offers are sent for.
func (e *erasureDay) dueCertificates() ([]store.Certificate, error) {
	return e.ts.DB.Read(context.Background()).DueCertificates(store.DueFilter{After: e.day, Until: e.day.AddDate(2, 0, 0), UserID: &e.officerID})
}

// figures is the quiz's item analysis and the number of result rows, as the
// trainer sees them.
func (e *erasureDay) figures(t *testing.T) (attempt.Analysis, int) {
	t.Helper()
	res, body := e.ts.api(t, e.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/analysis", e.sessionID), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("analysis: %d %s", res.StatusCode, body)
	}
	res, csv := e.ts.api(t, e.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/results.csv", e.sessionID), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("results: %d %s", res.StatusCode, csv)
	}
	return decode[attempt.Analysis](t, body), strings.Count(csv, "\n")
}

func (e *erasureDay) count(t *testing.T, table, where string) int64 {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int64
	if err := e.sqlDB(t).QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *erasureDay) sqlDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := e.ts.DB.R.DB()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// erase erases the officer through the API and checks what an erasure
// promises, at the row level: what every database must show.
func (e *erasureDay) erase(t *testing.T, rule privacy.NameRule) {
	t.Helper()
	ts := e.ts
	path := fmt.Sprintf("/api/v1/users/%d/erase", e.officerID)
	if res, body := ts.api(t, e.admin, "POST", path, map[string]any{"reason": "  "}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no reason: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, e.admin, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusOK {
		t.Fatal("the admin's own token")
	}
	adminID := e.idOf(t, e.world.admin)
	if res, body := ts.api(t, e.admin, "POST", fmt.Sprintf("/api/v1/users/%d/erase", adminID), map[string]any{"reason": "testing"}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "err.user.erase_self") {
		t.Errorf("an admin erasing themselves: %d %s", res.StatusCode, body)
	}
	if n := e.count(t, "audit_events", ""); n != e.auditEvents {
		t.Fatalf("refused erasures changed the audit log: %d events, were %d", n, e.auditEvents)
	}
	// The reason names the officer by mistake: the audit keeps it without.
	res, body := ts.api(t, e.admin, "POST", path, map[string]any{"reason": "Art. 17 request of " + eraseTarget.name})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"certificate_names":"`+string(rule)+`"`) {
		t.Fatalf("erase: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, e.admin, "POST", path, map[string]any{"reason": "again"}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "err.user.erased") {
		t.Errorf("erasing again: %d %s", res.StatusCode, body)
	}

	// The cached PDF printed the name (and the Latin name, under either rule).
	if n := e.count(t, "certificate_pdfs", "serial = '"+e.serial+"'"); n != 0 {
		t.Errorf("the erased holder's certificate PDF is still cached (%d)", n)
	}

	// Signed out everywhere at once, and no way back in.
	if res, _ := ts.api(t, e.officerTok, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the erased officer's API token: %d", res.StatusCode)
	}
	if res, _ := getWith(t, e.officerWeb, ts.URL+"/"); res.StatusCode == http.StatusOK {
		t.Errorf("the erased officer's browser session still opens the dashboard")
	}
	// The account now answers to the placeholder only, without a password.
	// (Signing in with the old address is refused as an unknown account, but
	// the attempt itself is a new login failure that records what was typed,
	// kept for the throttling window like any: not tried here, so the scan
	// below sees what the erasure left.)
	if res, _ := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": privacy.ErasedEmail(e.officerID), "password": testPassword}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("signing in to the erased account with its old password: %d", res.StatusCode)
	}
	if _, err := ts.DB.UserByEmail(context.Background(), strings.ToLower(eraseTarget.email)); err == nil {
		t.Errorf("the old address still finds the account")
	}

	// The audit trail: every event still there, plus the erasure's, which
	// holds the id and the reason only.
	if n := e.count(t, "audit_events", ""); n != e.auditEvents+1 {
		t.Errorf("audit events: %d, want %d (every event kept, one added)", n, e.auditEvents+1)
	}
	var after string
	if err := e.sqlDB(t).QueryRow(`SELECT "after" FROM audit_events WHERE action = 'user.erased' AND user_id = $1`, e.officerID).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, fmt.Sprintf(`"user_id":%d`, e.officerID)) || !strings.Contains(after, "Art. 17 request of "+privacy.ErasedMarker) {
		t.Errorf("the erasure's audit event: %s", after)
	}

	var clients int
	if err := e.sqlDB(t).QueryRow(`SELECT COUNT(*) FROM audit_events WHERE "after" LIKE '%198.51.100.23%'`).Scan(&clients); err != nil || clients != 0 {
		t.Errorf("the officer's client address is still in %d audit events (%v)", clients, err)
	}

	// Aggregates keep counting the attempt, anonymously.
	an, rows := e.figures(t)
	if an.Submitted != e.analysis.Submitted || an.Mean != e.analysis.Mean || fmt.Sprint(an.Items) != fmt.Sprint(e.analysis.Items) {
		t.Errorf("item analysis changed by the erasure:\n%+v\nwas\n%+v", an, e.analysis)
	}
	if rows != e.resultRows {
		t.Errorf("results: %d rows, were %d", rows, e.resultRows)
	}
	_, csv := ts.api(t, e.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/results.csv", e.sessionID), nil)
	if !strings.Contains(csv, "\nErased user,,"+privacy.ErasedEmail(e.officerID)+",") {
		t.Errorf("results CSV does not show the erased officer as such:\n%s", csv)
	}
	page := ts.browser(t, e.world.trainer)
	if _, html := getWith(t, page, fmt.Sprintf("%s/sessions/%d/results", ts.URL, e.sessionID)); !strings.Contains(html, `<th scope="row">Erased user</th>`) {
		t.Errorf("results page does not show the erased officer")
	}

	// Verification, by the rule.
	res, body = ts.api(t, "", "GET", "/verify/"+e.serial+".json", nil)
	pub := decode[certify.Public](t, body)
	fr := newBrowser()
	req, _ := http.NewRequest("GET", ts.URL+"/verify/"+e.serial, nil)
	req.Header.Set("Accept-Language", "fr")
	_, frPage := send(t, fr, req)
	switch rule {
	case privacy.KeepPrintedName:
		if res.StatusCode != http.StatusOK || pub.Status != "valid" || pub.HolderName != eraseTarget.name || pub.ErasedAt != nil {
			t.Errorf("keep: verification changed: %s", body)
		}
	default:
		if res.StatusCode != http.StatusOK || pub.Status != certify.StatusErased || pub.HolderName != "" || pub.ErasedAt == nil ||
			pub.CourseTitle != "Secret-keeping course" || pub.ExpiresAt == nil {
			t.Errorf("erase: verification JSON: %s", body)
		}
		for _, want := range []string{"les données personnelles de son titulaire ont été effacées à sa demande", "Impossible à confirmer"} {
			if !strings.Contains(frPage, want) {
				t.Errorf("the French verify page lacks %q", want)
			}
		}
		if res, _ := ts.api(t, e.admin, "GET", "/api/v1/certificates/"+e.serial+".pdf", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("the PDF of an erased holder's certificate: %d", res.StatusCode)
		}
		// Once it has expired it reads expired (as revoked reads revoked):
		// that says more to a verifier than "cannot be confirmed".
		clock := ts.Server.certs.Now
		ts.Server.certs.Now = func() time.Time { return pub.ExpiresAt.Add(24 * time.Hour) }
		_, body = ts.api(t, "", "GET", "/verify/"+e.serial+".json", nil)
		if later := decode[certify.Public](t, body); later.Status != "expired" || later.HolderName != "" || later.ErasedAt == nil {
			t.Errorf("erase: an expired certificate's verification: %s", body)
		}
		ts.Server.certs.Now = clock
	}

	// Row level: no personal string in any table, except (keep) the printed
	// name in the certificates table.
	e.scanTables(t, rule)
	var email, name string
	if err := e.sqlDB(t).QueryRow("SELECT email, name FROM users WHERE id = $1", e.officerID).Scan(&email, &name); err != nil || email != privacy.ErasedEmail(e.officerID) || name != "" {
		t.Errorf("the erased user's row: %q %q %v", email, name, err)
	}
	for _, table := range []string{"login_sessions", "one_time_tokens", "recovery_codes", "checkin_failures"} {
		if n := e.count(t, table, fmt.Sprintf("user_id = %d", e.officerID)); n != 0 {
			t.Errorf("%s: %d rows of the erased user left", table, n)
		}
	}
	if n := e.count(t, "outbox", fmt.Sprintf("user_id = %d", e.officerID)); n != 0 {
		t.Errorf("%d e-mails to the erased user left", n)
	}
	if n := e.count(t, "outbox_attachments", "message_id NOT IN (SELECT id FROM outbox)"); n != 0 {
		t.Errorf("%d attachments of deleted e-mails left", n)
	}
	if due, err := e.dueCertificates(); err != nil || len(due) != 0 {
		t.Errorf("the erased officer is still due for recertification (reminders to a placeholder, offers): %d %v", len(due), err)
	}
	if n := e.count(t, "attempts", fmt.Sprintf("user_id = %d", e.officerID)); n != 1 {
		t.Errorf("the erased officer's attempts: %d, want 1 kept", n)
	}
}

// scanTables reads every row of every table and fails on a personal string
// (with KeepPrintedName, the certificates table may keep the printed name and
// its parts, not the Latin name or the address).
func (e *erasureDay) scanTables(t *testing.T, rule privacy.NameRule) {
	t.Helper()
	db := e.sqlDB(t)
	listing := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if e.ts.DB.Dialect == "postgres" {
		listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := db.Query(listing)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 20 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	for _, table := range tables {
		needles := e.needles()
		if table == "certificates" && rule == privacy.KeepPrintedName {
			needles = []string{eraseTarget.latin, eraseTarget.email, strings.ToLower(eraseTarget.email)}
		}
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				for _, n := range needles {
					if strings.Contains(text, n) {
						t.Errorf("%s.%s still holds %q: %.200s", table, cols[i], n, text)
					}
				}
			}
		}
		rs.Close()
	}
}

// scanFile reads the whole SQLite database (file, -wal, -shm) and fails on
// any of the strings, as stored or lower-cased.
func scanFile(t *testing.T, path string, needles []string) {
	t.Helper()
	scanned := 0
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(path + suffix)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		scanned += len(data)
		for _, n := range needles {
			for _, form := range []string{n, strings.ToLower(n)} {
				if i := bytes.Index(data, []byte(form)); i >= 0 {
					t.Errorf("%s%s holds %q at byte %d", filepath.Base(path), suffix, form, i)
				}
			}
		}
	}
	if scanned < 100_000 {
		t.Fatalf("scanned only %d bytes", scanned)
	}
}

// TestErasure_LeavesNoTrace is the done-when of issue 22's erasure: an
// officer's whole day, erased through the API by an admin, under each
// certificate rule; then the whole SQLite file is scanned for their strings.
func TestErasure_LeavesNoTrace(t *testing.T) {
	for _, rule := range []privacy.NameRule{privacy.ErasePrintedName, privacy.KeepPrintedName} {
		t.Run(string(rule), func(t *testing.T) {
			policy := privacy.Default()
			policy.CertificateNames = rule
			file := filepath.Join(t.TempDir(), "lectern.db")
			ts := startServerFull(t, bothCourses(t), Config{}, app.Options{Privacy: &policy}, file, io.Discard)
			e := newErasureDay(t, ts)
			e.erase(t, rule)
			if err := ts.DB.Close(); err != nil {
				t.Fatal(err)
			}
			needles := e.needles()
			if rule == privacy.KeepPrintedName { // the printed name stays, in the certificates table only (scanTables)
				needles = []string{eraseTarget.latin, eraseTarget.email}
			}
			scanFile(t, file, needles)
		})
	}
}

// TestErasure_ScanFindsWhatIsThere proves the file scan can fail: before the
// erasure every string is in the file.
func TestErasure_ScanFindsWhatIsThere(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lectern.db")
	ts := startServerFull(t, bothCourses(t), Config{}, app.Options{}, file, io.Discard)
	e := newErasureDay(t, ts)
	if err := ts.DB.Close(); err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(file + suffix)
		data = append(data, b...)
	}
	for _, n := range e.needles() {
		if n == strings.ToLower(eraseTarget.name) || n == strings.ToLower(eraseTarget.latin) || n == eraseTarget.email {
			continue // stored as typed (names) or lower-cased (the address)
		}
		if !bytes.Contains(data, []byte(n)) {
			t.Errorf("before the erasure the file lacks %q: the scan would prove nothing", n)
		}
	}
}

func TestErasure_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	e := newErasureDay(t, ts)
	e.erase(t, privacy.ErasePrintedName)
}

// TestErasurePage_ConfirmsByAddress: the admin's confirmation page erases only
// with the reason and the user's address typed again; a wrong address changes
// nothing; afterwards the users page and the page itself say it is done.
func TestErasurePage_ConfirmsByAddress(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	admin := ts.browser(t, w.admin)
	page := fmt.Sprintf("%s/users/%d/erase", ts.URL, w.officerAID)
	res, html := getWith(t, admin, page)
	if res.StatusCode != http.StatusOK || !strings.Contains(html, "Officer Alpha-Marker") || !strings.Contains(html, `name="reason"`) ||
		!strings.Contains(html, "the name is replaced by") {
		t.Fatalf("confirmation page: %d\n%s", res.StatusCode, html)
	}
	erased := func() bool {
		u, err := ts.DB.User(context.Background(), w.officerAID)
		if err != nil {
			t.Fatal(err)
		}
		return u.ErasedAt != nil
	}
	res = submitForm(t, admin, page, page, url.Values{"reason": {"erasure request"}, "confirm": {w.coordA.Email}})
	if res.StatusCode != http.StatusUnprocessableEntity || erased() {
		t.Fatalf("another address typed: %d, erased %v", res.StatusCode, erased())
	}
	res = submitForm(t, admin, page, page, url.Values{"reason": {""}, "confirm": {w.officerA.Email}})
	if res.StatusCode != http.StatusUnprocessableEntity || erased() {
		t.Fatalf("no reason: %d, erased %v", res.StatusCode, erased())
	}
	if res, _ := getWith(t, ts.browser(t, w.coordA), page); res.StatusCode != http.StatusForbidden {
		t.Errorf("the officer's coordinator opening the page: %d, want 403", res.StatusCode)
	}
	res = submitForm(t, admin, page, page, url.Values{"reason": {"erasure request"}, "confirm": {strings.ToUpper(w.officerA.Email)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users?erased=1" || !erased() {
		t.Fatalf("erase: %d %s, erased %v", res.StatusCode, res.Header.Get("Location"), erased())
	}
	if _, html := getWith(t, admin, ts.URL+"/admin/users?erased=1"); !strings.Contains(html, "The personal data was erased.") ||
		!strings.Contains(html, `<span class="meta">Erased user</span>`) || strings.Contains(html, "Officer Alpha-Marker") {
		t.Errorf("users page after the erasure:\n%s", html)
	}
	if _, html := getWith(t, admin, page); !strings.Contains(html, "personal data was erased on") || strings.Contains(html, `name="reason"`) {
		t.Errorf("the page of an erased user:\n%s", html)
	}
}

// TestVerify_ErasedHolderExpiredOrRevoked: an erased holder's certificate that
// has expired or was revoked says so to the verifier (not "erased", which
// reads as issued and standing), and still that the name cannot be confirmed.
func TestVerify_ErasedHolderExpiredOrRevoked(t *testing.T) {
	policy := privacy.Default()
	ts := startServerFull(t, bothCourses(t), Config{}, app.Options{Privacy: &policy}, filepath.Join(t.TempDir(), "lectern.db"), io.Discard)
	e := newErasureDay(t, ts)
	e.erase(t, privacy.ErasePrintedName)
	check := func(status, verdict string) {
		t.Helper()
		res, body := ts.api(t, "", "GET", "/verify/"+e.serial+".json", nil)
		pub := decode[certify.Public](t, body)
		if res.StatusCode != http.StatusOK || pub.Status != status || pub.HolderName != "" || pub.ErasedAt == nil {
			t.Errorf("verification JSON, want %s and erased_at: %s", status, body)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/verify/"+e.serial, nil)
		req.Header.Set("Accept-Language", "fr")
		_, page := send(t, newBrowser(), req)
		for _, want := range []string{verdict, "Impossible à confirmer"} {
			if !strings.Contains(page, want) {
				t.Errorf("the French verify page (%s) lacks %q:\n%s", status, want, page)
			}
		}
	}
	// Three days before the server's (fixed) clock, not the machine's: the
	// quiz world's clock stands on the session's day at a set hour, so a
	// real "now" taken later in the day than that hour is after it.
	past := ts.Server.certs.Now().AddDate(0, 0, -3).UTC()
	if err := ts.DB.W.Exec("UPDATE certificates SET expires_at = ? WHERE serial = ?", past, e.serial).Error; err != nil {
		t.Fatal(err)
	}
	check("expired", "ce certificat était valide, mais")
	if res, body := ts.api(t, e.admin, "POST", "/api/v1/certificates/"+e.serial+"/revoke", map[string]any{"reason": "issued by mistake"}); res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	check("revoked", "ce certificat n&#39;est plus valide")
}
