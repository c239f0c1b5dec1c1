package web

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
)

// exportedColumns is every column of the schema that points at a person (see
// personalColumn), with the data.json key that exports its rows and whose
// export the test seeds it for: the officer's (as subject) or the trainer's
// (as the one who acted). A new table or column about a person fails
// TestMyData_ExportHoldsEveryRecord until it is exported and added here, or
// listed in notExported with the reason.
var exportedColumns = map[string]struct{ key, who string }{
	"users.email":                   {"account", "officer"},
	"login_sessions.user_id":        {"login_sessions", "officer"},
	"login_failures.email":          {"login_failures", "officer"},
	"session_trainers.user_id":      {"trained_sessions", "trainer"},
	"enrollments.user_id":           {"enrollments", "officer"},
	"attendances.user_id":           {"attendance", "officer"},
	"attendances.marked_by":         {"acts", "trainer"},
	"audit_events.user_id":          {"audit", "officer"},
	"audit_events.actor_id":         {"audit", "trainer"},
	"checkin_failures.user_id":      {"checkin_failures", "officer"},
	"attempts.user_id":              {"attempts", "officer"},
	"attempts.entered_by":           {"acts", "trainer"},
	"attempt_answers.attempt_id":    {"attempts", "officer"},
	"late_answers.attempt_id":       {"attempts", "officer"},
	"late_answers.accepted_by":      {"acts", "trainer"},
	"certificates.user_id":          {"certificates", "officer"},
	"certificates.holder_name":      {"certificates", "officer"},
	"one_time_tokens.user_id":       {"links", "officer"},
	"one_time_tokens.created_by":    {"acts", "trainer"},
	"outbox.user_id":                {"emails", "officer"},
	"outbox.to_address":             {"emails", "officer"},
	"recovery_codes.user_id":        {"account", "trainer"},
	"session_quizzes.changed_by":    {"acts", "trainer"},
	"attempt_exceptions.user_id":    {"attempt_exceptions", "officer"},
	"training_sessions.created_by":  {"acts", "trainer"},
	"certificate_reminders.user_id": {"certificate_reminders", "officer"},
}

// notExported lists person-like columns whose rows are not in data.json of
// their own, each with why: not a person, or nothing the export does not
// already say.
var notExported = map[string]string{
	"job_runs.holder": "the process (host and pid) that claimed a daily job, not a person",
	// Item analysis's per-question score of an attempt is computed from the
	// answers exported in attempts, and shown there (review) once the quiz's
	// review policy allows: exported separately it would tell which answers
	// are right while a quiz still hides it.
	"item_scores.attempt_id": "derived from the attempt's answers; attempts carries them and, when allowed, their review",
	"rate_windows.key":       "a keyed digest of a client address and a limit's name, kept 12-24 s to count requests: not linkable to a person by the export, gone before one could ask",
	"certificate_pdfs.pdf":   "a cache of the certificate PDFs the export already holds (certificates); erased and revoked with them",
	// The Open Badges credential's hashed holder identity (issue 24): a salt
	// and the SHA-256 of the address with it, which the export holds in
	// plain (account); both cleared when the holder is erased.
	"certificates.holder_identity_salt":  "the random salt of the holder's hashed e-mail address in their credential; the address itself is exported (account)",
	"certificates.holder_identity_hash":  "the salted SHA-256 of the holder's e-mail address in their credential; the address itself is exported (account)",
	"certificate_credentials.credential": "a cache of the signed credentials of the certificates the export already holds (certificates); erased and revoked with them",
}

// opaquePersonal lists columns that hold data about a person although their
// names do not say so (personalColumn cannot see it): a digest of an address,
// a document with a name inside. Each must be inventoried like the others.
var opaquePersonal = map[string]bool{
	"rate_windows.key":                   true,
	"certificate_pdfs.pdf":               true,
	"certificate_credentials.credential": true,
}

// personalColumn reports whether a column names a person: their id, as the
// subject or as the one who acted (…_by), their address, a holder, or one of
// their attempts.
func personalColumn(name string) bool {
	switch name {
	case "user_id", "actor_id", "email", "to_address", "attempt_id":
		return true
	}
	return strings.HasSuffix(name, "_by") || strings.HasPrefix(name, "holder")
}

// TestMyData_ExportHoldsEveryRecord seeds an officer with a row in every table
// that can hold data about a person (and a trainer with every "…_by" act),
// downloads the officer's export through the server as the officer and the
// trainer's as an admin, and checks every seeded record is there, the
// certificate PDFs verify, no secret and nothing of a second officer of the
// same session is in it, and the schema has no person column the export
// forgets.
func TestMyData_ExportHoldsEveryRecord(t *testing.T) { exportHoldsEveryRecord(t, newQuizWorld(t)) }

// TestMyData_ExportHoldsEveryRecord_PostgreSQL is the same on PostgreSQL: its
// queries, and its schema read from information_schema.
func TestMyData_ExportHoldsEveryRecord_PostgreSQL(t *testing.T) {
	exportHoldsEveryRecord(t, newQuizWorldOn(t, newWorldOn(t, startServerOn(t, bothCourses(t), Config{}, postgresDSN(t)))))
}

func exportHoldsEveryRecord(t *testing.T, qw *quizWorld) {
	ts := qw.ts
	ctx := context.Background()
	aID, bID, trainerID := qw.officerAID, qw.idOf(t, qw.world.officerB), qw.idOf(t, qw.trainer)
	sid := qw.sessionID
	qw.at(time.Hour)
	now := qw.day.Add(time.Hour)
	for _, id := range []int64{aID, bID} {
		if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", sid, id), map[string]string{"status": "present"}); res.StatusCode != 200 {
			t.Fatalf("attendance: %d %s", res.StatusCode, body)
		}
	}
	answer := func(token, text string) int64 {
		v := qw.start(t, token)
		if res, body := ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": text, "seq": 1}); res.StatusCode != 200 {
			t.Fatalf("answer: %d %s", res.StatusCode, body)
		}
		if res, body := ts.api(t, token, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 {
			t.Fatalf("submit: %d %s", res.StatusCode, body)
		}
		return v.ID
	}
	attemptA := answer(qw.officerA, "MY-ANSWER-ALPHA")
	attemptB := answer(qw.officerB, "MY-ANSWER-BRAVO")
	if res, body := ts.api(t, qw.officerA, "POST", "/api/v1/me/calendar/rotate", nil); res.StatusCode >= 300 {
		t.Fatalf("calendar: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": qw.world.officerA.Email, "password": "not the password"}); res.StatusCode != 401 {
		t.Fatalf("failed sign-in: %d", res.StatusCode)
	}
	// Two certificates of officer A (one revoked), one of officer B.
	other := qw.createSession(t, 10, nil)
	serialA := ts.issueForTest(t, sid, aID)
	revokedA := ts.issueForTest(t, other.ID, aID)
	serialB := ts.issueForTest(t, sid, bID)
	admin := ts.token(t, qw.admin)
	if res, body := ts.api(t, admin, "POST", "/api/v1/certificates/"+revokedA+"/revoke", map[string]string{"reason": "REVOKED-FOR-TEST"}); res.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	// What no route of ours writes at will: written as the services would.
	err := ts.DB.Tx(ctx, func(q store.Q) error {
		for _, id := range []int64{aID, bID} {
			if err := q.RecordCheckinFailure(sid, id, now); err != nil {
				return err
			}
		}
		if err := q.SaveLateAnswer(&store.LateAnswer{AttemptID: attemptA, QuestionID: "count", Answer: []byte(`{"number":777}`), Seq: 2,
			AnsweredAt: now, ArrivedAt: now, AcceptedAt: &now, AcceptedBy: &trainerID}); err != nil {
			return err
		}
		// Officer A's valid certificate expires within 90 days of the
		// exporter's (real) clock: "expiring".
		c, err := q.Certificate(serialA)
		if err != nil {
			return err
		}
		soon := time.Now().Add(30 * 24 * time.Hour)
		c.ExpiresAt = &soon
		if err := q.SaveCertificate(c); err != nil {
			return err
		}
		if _, err := q.ClaimCertificateReminder(serialA, 90, aID, now); err != nil {
			return err
		}
		if _, err := q.ClaimCertificateReminder(serialB, 90, bID, now); err != nil {
			return err
		}
		if _, err := q.AddExtraAttempts(sid, aID, "01-m", 1); err != nil {
			return err
		}
		if err := q.SetQuizClosed(&store.SessionQuiz{SessionID: sid, QuizID: "01-m", ChangedAt: now, ChangedBy: trainerID}); err != nil {
			return err
		}
		if err := q.CreateToken(&store.OneTimeToken{UserID: aID, Purpose: store.TokenReset, TokenHash: "TOKEN-HASH-ALPHA", CreatedAt: now,
			ExpiresAt: now.Add(time.Hour), CreatedBy: &trainerID}); err != nil {
			return err
		}
		if err := q.CreateAttempt(&store.Attempt{SessionID: sid, QuizID: "01-m", UserID: bID, Number: 2, ContentHash: "x", CourseHash: "x",
			Questions: []byte("[]"), StartedAt: now, Deadline: now, Finalised: store.FinalisedPaperScore, FinalisedAt: &now, EnteredBy: &trainerID}); err != nil {
			return err
		}
		for _, m := range []struct {
			id            int64
			email, marker string
		}{{aID, qw.world.officerA.Email, "ALPHA"}, {bID, qw.world.officerB.Email, "BRAVO"}} {
			if err := q.EnqueueOutbox(&store.OutboxMessage{Kind: "test", UserID: &m.id, ToAddress: m.email, Subject: "MAIL-SUBJECT-" + m.marker,
				TextBody: "MAIL-BODY-" + m.marker, Status: store.OutboxQueued, NextAttemptAt: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Last: with a second factor the trainer signs in no more by password.
	if err := ts.DB.SetTOTP(ctx, trainerID, "TOTP-SECRET-SEALED", &now, []string{"RECOVERY-HASH-1", "RECOVERY-HASH-2"}); err != nil {
		t.Fatal(err)
	}

	// The officer's own export, from the account page's link.
	browser := ts.browser(t, qw.world.officerA)
	res, body := getWith(t, browser, ts.URL+"/me/data.zip")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" || !strings.Contains(res.Header.Get("Content-Disposition"), fmt.Sprintf("lectern-data-%d-", aID)) {
		t.Fatalf("my data: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	files := unzip(t, []byte(body))
	raw := string(files["data.json"])
	var officer map[string]any
	if err := json.Unmarshal(files["data.json"], &officer); err != nil {
		t.Fatalf("data.json: %v\n%s", err, raw)
	}
	if officer["format"] != privacy.ExportFormat {
		t.Errorf("format: %v", officer["format"])
	}
	account := officer["account"].(map[string]any)
	if account["email"] != qw.world.officerA.Email || account["name"] != "Officer Alpha-Marker" || account["calendar_feed"] != true ||
		account["agency"].(map[string]any)["name"] != "Agency Alpha-Marker" || account["role"] != "officer" {
		t.Errorf("account: %v", account)
	}
	// Every seeded record, found by what marks it.
	for key, marks := range map[string][]string{
		"sessions":              {fmt.Sprintf(`"id": %d`, sid), fmt.Sprintf(`"id": %d`, other.ID)},
		"enrollments":           {fmt.Sprintf(`"session_id": %d`, sid), `"status": "enrolled"`, `"extra_time_percent": 50`},
		"attendance":            {`"status": "present"`, `"source": "trainer"`},
		"checkin_failures":      {fmt.Sprintf(`"session_id": %d`, sid)},
		"attempts":              {"MY-ANSWER-ALPHA", `"number": 777`, fmt.Sprintf(`"id": %d`, attemptA), `"prompt_html"`},
		"attempt_exceptions":    {`"extra_attempts": 1`},
		"certificates":          {serialA, revokedA, `"status": "revoked"`, `"status": "expiring"`, "REVOKED-FOR-TEST", `"pdf": "certificates/` + serialA + `.pdf"`},
		"audit":                 {`"action": "enrollment.create"`, `"action": "attendance.trainer"`, `"action": "` + privacy.ExportAction + `"`},
		"login_sessions":        {`"client_ip": "127.0.0.1"`, `"user_agent"`},
		"login_failures":        {`"client_ip": "127.0.0.1"`},
		"links":                 {`"purpose": "reset"`},
		"emails":                {"MAIL-SUBJECT-ALPHA", qw.world.officerA.Email},
		"certificate_reminders": {`"serial": "` + serialA + `"`, `"days": 90`},
	} {
		section, _ := json.MarshalIndent(officer[key], "", " ")
		for _, m := range marks {
			if !strings.Contains(compactJSON(section), compactJSON([]byte(m))) {
				t.Errorf("data.json %q lacks %s: %s", key, m, section)
			}
		}
	}
	// Nothing secret, nothing of officer B, no answer key of a quiz still
	// running (the session is not closed).
	for _, s := range []string{"argon2", "TOKEN-HASH-ALPHA", "MAIL-BODY-ALPHA", qw.world.officerA.Password,
		qw.world.officerB.Email, "경찰관 브라보", "MY-ANSWER-BRAVO", "MAIL-SUBJECT-BRAVO", serialB,
		// The answer key (assertNoKeys's list but "accepted", a late answer's state).
		"EXPLANATION-", "SHORT-ANSWER-2b8", `"correct"`, "tolerance", "explanation_html", "correct_choices"} {
		if strings.Contains(raw, s) {
			t.Errorf("data.json holds %q", s)
		}
	}
	if attempts := officer["attempts"].([]any); len(attempts) != 1 || attempts[0].(map[string]any)["id"] != float64(attemptA) {
		t.Errorf("attempts: %v, want only %d (not %d)", attempts, attemptA, attemptB)
	}
	// The PDFs: both certificates (the revoked one too), signed.
	key := ts.Server.opts.Signer
	trusted := map[string]ed25519.PublicKey{key.KeyID: key.PublicKey()}
	for _, serial := range []string{serialA, revokedA} {
		p, err := certify.VerifyPDF(files["certificates/"+serial+".pdf"], trusted)
		if err != nil || p.Serial != serial || p.Holder != "Officer Alpha-Marker" {
			t.Errorf("certificates/%s.pdf: %+v %v", serial, p, err)
		}
	}
	if _, ok := files["certificates/"+serialB+".pdf"]; ok || len(files) != 4 {
		t.Errorf("ZIP holds %d files: %v", len(files), slices.Sorted(maps.Keys(files)))
	}
	readme := string(files["README.txt"])
	for _, s := range []string{"Your personal data", "data.json", "certificates/SERIAL.pdf", "revoked", "Officer Alpha-Marker"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.txt lacks %q:\n%s", s, readme)
		}
	}

	// The trainer's export, by an admin: every act of theirs.
	res, body = ts.api(t, admin, "GET", fmt.Sprintf("/api/v1/users/%d/data.zip", trainerID), nil)
	if res.StatusCode != 200 {
		t.Fatalf("admin export of the trainer: %d %s", res.StatusCode, body)
	}
	var trainer map[string]any
	if err := json.Unmarshal(unzip(t, []byte(body))["data.json"], &trainer); err != nil {
		t.Fatal(err)
	}
	acts, _ := json.Marshal(trainer["acts"])
	for _, kind := range []string{"session_created", "attendance_marked", "quiz_opened_or_closed", "paper_entered", "late_answer_accepted", "invitation_created"} {
		if !strings.Contains(string(acts), `"kind":"`+kind+`"`) {
			t.Errorf("trainer's acts lack %s: %s", kind, acts)
		}
	}
	if a := trainer["account"].(map[string]any); a["second_factor"] != true || len(a["recovery_codes"].([]any)) != 2 {
		t.Errorf("trainer's account: %v", a)
	}
	trainerRaw, _ := json.Marshal(trainer)
	for _, s := range []string{"TOTP-SECRET-SEALED", "RECOVERY-HASH-1", "MY-ANSWER-ALPHA", qw.world.officerA.Email} {
		if strings.Contains(string(trainerRaw), s) {
			t.Errorf("trainer's data.json holds %q", s)
		}
	}
	audited := false
	events, _ := ts.DB.Read(ctx).AuditEvents(nil, 20)
	for _, ev := range events {
		if ev.Action == privacy.ExportAction && ev.UserID != nil && *ev.UserID == trainerID && ev.ActorID != nil && *ev.ActorID == qw.idOf(t, qw.admin) {
			audited = true
		}
	}
	if !audited {
		t.Errorf("the admin's export of the trainer is not audited: %+v", events)
	}

	// Every column about a person in the schema is exported (and seeded
	// above) or said not to be about the person.
	exports := map[string]map[string]any{"officer": officer, "trainer": trainer}
	subjects := map[string]int64{"officer": aID, "trainer": trainerID}
	// The schema's columns, table by table, from the database itself.
	columns := map[string][]string{}
	var rows []struct{ Table, Column string }
	query := "SELECT m.name AS \"table\", c.name AS \"column\" FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table'"
	if ts.DB.Dialect == "postgres" {
		query = `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	if err := ts.DB.R.Raw(query).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		columns[r.Table] = append(columns[r.Table], r.Column)
	}
	if len(columns) < 20 {
		t.Fatalf("the schema walk found %d tables", len(columns))
	}
	seen, listed := 0, map[string]bool{}
	for table, cols := range columns {
		for _, col := range cols {
			name := table + "." + col
			if !personalColumn(col) && !opaquePersonal[name] {
				continue
			}
			seen++
			if why, ok := notExported[name]; ok && why != "" {
				listed[name] = true
				continue
			}
			ex, ok := exportedColumns[name]
			if !ok {
				t.Errorf("%s holds a person's data but the export neither exports it (exportedColumns) nor says why not (notExported)", name)
				continue
			}
			u, err := ts.DB.User(ctx, subjects[ex.who])
			if err != nil {
				t.Fatal(err)
			}
			where, arg := col+" = ?", any(u.ID)
			switch col {
			case "email", "to_address":
				arg = u.Email
			case "holder_name":
				arg = u.Name
			case "attempt_id":
				where = col + " IN (SELECT id FROM attempts WHERE user_id = ?)"
			}
			var n int64
			if err := ts.DB.R.Raw("SELECT count(*) FROM "+table+" WHERE "+where, arg).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("%s: the test seeded no row for the %s", name, ex.who)
			}
			if v, ok := exports[ex.who][ex.key]; !ok || v == nil || fmt.Sprint(v) == "[]" {
				t.Errorf("%s: the %s's data.json has nothing under %q", name, ex.who, ex.key)
			}
		}
	}
	for name := range notExported {
		if !listed[name] {
			t.Errorf("notExported lists %s, which the schema has not (or not as a person column)", name)
		}
	}
	if seen < len(exportedColumns) {
		t.Errorf("the schema walk found %d person columns, fewer than the %d exported", seen, len(exportedColumns))
	}
}

// TestMyData_WhoMayExport: anyone their own; an admin anyone's (the API twin
// too); anyone else's by a non-admin answers as the one rule does.
func TestMyData_WhoMayExport(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ofA := fmt.Sprintf("/api/v1/users/%d/data.zip", w.officerAID)
	for _, c := range []struct {
		who   string
		token string
		path  string
		want  int
	}{
		{"anonymous", "", "/api/v1/me/data.zip", 401},
		{"officer A", ts.token(t, w.officerA), "/api/v1/me/data.zip", 200},
		{"officer A", ts.token(t, w.officerA), ofA, 200},
		{"officer B", ts.token(t, w.officerB), ofA, 404},
		{"trainer", ts.token(t, w.trainer), ofA, 404},
		{"coordinator A", ts.token(t, w.coordA), ofA, 403},
		{"coordinator B", ts.token(t, w.coordB), ofA, 404},
		{"admin", ts.token(t, w.admin), ofA, 200},
		{"admin", ts.token(t, w.admin), "/api/v1/users/999999/data.zip", 404},
	} {
		res, body := ts.api(t, c.token, "GET", c.path, nil)
		if res.StatusCode != c.want {
			t.Errorf("%s GET %s: %d, want %d", c.who, c.path, res.StatusCode, c.want)
		}
		if res.StatusCode != 200 && strings.Contains(body, w.officerA.Email) {
			t.Errorf("%s GET %s reveals officer A: %s", c.who, c.path, body)
		}
	}
	// The browser: the account page's button, and another's export refused.
	officerB := ts.browser(t, w.officerB)
	if res, body := getWith(t, officerB, ts.URL+"/account"); res.StatusCode != 200 || !strings.Contains(body, `href="/me/data.zip"`) {
		t.Errorf("account page: %d", res.StatusCode)
	}
	if res, _ := getWith(t, officerB, ts.URL+fmt.Sprintf("/users/%d/data.zip", w.officerAID)); res.StatusCode != 404 {
		t.Errorf("officer B's browser asking for officer A's data: %d", res.StatusCode)
	}
	if res, body := getWith(t, ts.browser(t, w.admin), ts.URL+"/admin/users"); !strings.Contains(body, fmt.Sprintf(`href="/users/%d/data.zip"`, w.officerAID)) {
		t.Errorf("the admin's users page has no export link for officer A: %d", res.StatusCode)
	}
	// Refusals wrote no audit entry; the three exports did.
	events, _ := ts.DB.Read(context.Background()).AuditEvents(nil, 100)
	n := 0
	for _, ev := range events {
		if ev.Action == privacy.ExportAction {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d exports audited, want 3", n)
	}
}

// compactJSON drops every space, so JSON compares however it is indented.
func compactJSON(b []byte) string {
	return strings.Join(strings.Fields(string(b)), "")
}

// TestMyData_ErasedUser: an admin can still export what is left of an erased
// officer (an access request after erasure): the export says when, holds
// neither the name nor the address erased, and lists the certificate whose
// printed name went with its signature without a PDF to give.
func TestMyData_ErasedUser(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, nil)
	serial := ts.issueForTest(t, s.ID, w.officerAID)
	admin := ts.token(t, w.admin)
	if res, body := ts.api(t, admin, "POST", fmt.Sprintf("/api/v1/users/%d/erase", w.officerAID), map[string]string{"reason": "asked by letter"}); res.StatusCode != 200 {
		t.Fatalf("erase: %d %s", res.StatusCode, body)
	}
	res, body := ts.api(t, admin, "GET", fmt.Sprintf("/api/v1/users/%d/data.zip", w.officerAID), nil)
	if res.StatusCode != 200 {
		t.Fatalf("export of the erased officer: %d %s", res.StatusCode, body)
	}
	files := unzip(t, []byte(body))
	raw := string(files["data.json"])
	var got struct {
		Account struct {
			ErasedAt *time.Time `json:"erased_at"`
		} `json:"account"`
		Certificates []struct {
			Serial   string     `json:"serial"`
			ErasedAt *time.Time `json:"erased_at"`
			PDF      string     `json:"pdf"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal(files["data.json"], &got); err != nil {
		t.Fatal(err)
	}
	if got.Account.ErasedAt == nil || len(got.Certificates) != 1 || got.Certificates[0].Serial != serial {
		t.Fatalf("data.json of the erased officer: %s", raw)
	}
	if c := got.Certificates[0]; (c.ErasedAt == nil) != (c.PDF != "") || (c.PDF != "") != (files["certificates/"+serial+".pdf"] != nil) {
		t.Errorf("certificate erased at %v with pdf %q; the ZIP holds %d files", c.ErasedAt, c.PDF, len(files))
	}
	for _, s := range []string{"Officer Alpha-Marker", w.officerA.Email} {
		if strings.Contains(raw, s) || strings.Contains(string(files["README.txt"]), s) {
			t.Errorf("the erased officer's export holds %q", s)
		}
	}
}

// TestMyData_CrossSiteRefused: another site's page cannot make a signed-in
// browser produce an export (an <img> or link to /users/N/data.zip would
// write a "user.data_export" audit entry in the admin's name for every id):
// with Sec-Fetch-Site cross-site the download is refused with the CSRF
// message and no audit entry; the same request from the site itself, or with
// no such header (not a browser another site drives), still downloads.
func TestMyData_CrossSiteRefused(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	admin := ts.browser(t, w.admin)
	exports := func() int {
		events, err := ts.DB.Read(context.Background()).AuditEvents(nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range events {
			if ev.Action == privacy.ExportAction {
				n++
			}
		}
		return n
	}
	for _, path := range []string{"/me/data.zip", fmt.Sprintf("/users/%d/data.zip", w.officerAID),
		"/api/v1/me/data.zip", fmt.Sprintf("/api/v1/users/%d/data.zip", w.officerAID)} {
		for _, site := range []string{"cross-site", "same-site", "same-origin", ""} {
			before := exports()
			req, err := http.NewRequest("GET", ts.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if site != "" {
				req.Header.Set("Sec-Fetch-Site", site)
			}
			res, body := send(t, admin, req)
			want, wantExports := 200, before+1
			if site == "cross-site" || site == "same-site" {
				want, wantExports = 403, before
			}
			if res.StatusCode != want || exports() != wantExports {
				t.Errorf("GET %s with Sec-Fetch-Site %q: %d, %d exports audited; want %d, %d", path, site, res.StatusCode, exports(), want, wantExports)
			}
			if want == 403 && (strings.Contains(body, w.officerA.Email) || res.Header.Get("Content-Type") == "application/zip") {
				t.Errorf("GET %s from another site answered with data: %s", path, res.Header.Get("Content-Type"))
			}
		}
	}
}
