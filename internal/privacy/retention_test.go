package privacy

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// retentionNow is the moved clock of the retention tests: with the default
// policy, answers of sessions before 2024-12-06 go, login records before
// 2026-09-07, sent e-mails before 2026-11-06, audit before 2016-12-06,
// tokens that expired before 2026-11-06.
var retentionNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// seeded names the rows the retention tests expect to stay, by table.
type seeded struct {
	keep map[string]int64 // table → rows that must stay
	gone map[string]int64 // table → rows past their period
}

// seedRetention writes, for every table retention touches, rows just past
// their period and rows just inside it (a day either side), plus rows that
// never go (a queued e-mail, an unexpired sign-in).
func seedRetention(t *testing.T, db *store.DB) seeded {
	t.Helper()
	now := retentionNow
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	create := func(v any) {
		t.Helper()
		if err := db.W.Create(v).Error; err != nil {
			t.Fatalf("seed %T: %v", v, err)
		}
	}
	agency := &store.Agency{Name: "Agency", Country: "FR", CreatedAt: now}
	create(agency)
	officer := &store.User{Email: "officer@example.org", Name: "Officer", Role: "officer", AgencyID: &agency.ID, CreatedAt: now, UpdatedAt: now}
	create(officer)
	session := func(date string) *store.TrainingSession {
		d, _ := time.Parse(time.DateOnly, date)
		s := &store.TrainingSession{CourseID: "crypto-crime", Date: date, StartTime: "09:00", EndTime: "17:00", Timezone: "UTC",
			StartsAt: d.Add(9 * time.Hour), EndsAt: d.Add(17 * time.Hour), Venue: "Hall", City: "Paris", Country: "FR", Capacity: 10,
			Status: store.SessionClosed, CheckinSecret: []byte("x"), CreatedBy: officer.ID, CreatedAt: d, UpdatedAt: d}
		create(s)
		return s
	}
	// late are the attempt's late answers: "accepted" or "pending" (no
	// trainer has decided yet).
	// A finalised attempt has its item scores (kept when it was scored).
	attempt := func(s *store.TrainingSession, answers int, finalised store.Finalised, late ...string) *store.Attempt {
		a := &store.Attempt{SessionID: s.ID, QuizID: "q1", UserID: officer.ID, Number: 1, ContentHash: "h", CourseHash: "h", Questions: []byte("[]"),
			StartedAt: s.StartsAt, Deadline: s.StartsAt.Add(time.Hour), Finalised: finalised, Score: 3, MaxScore: 4, Percent: 75, Passed: true}
		create(a)
		for i := range answers {
			create(&store.AttemptAnswer{AttemptID: a.ID, QuestionID: string(rune('a' + i)), Answer: []byte(`{}`), Seq: 1, Revision: 1, SavedAt: s.StartsAt})
		}
		for i, decision := range late {
			l := &store.LateAnswer{AttemptID: a.ID, QuestionID: string(rune('z' - i)), Answer: []byte(`{}`), Seq: 1, AnsweredAt: s.StartsAt, ArrivedAt: s.StartsAt}
			if decision == "accepted" {
				l.AcceptedAt = &l.ArrivedAt
			}
			create(l)
		}
		if finalised != "" {
			create(&store.ItemScore{AttemptID: a.ID, QuestionID: "a", Fraction: 1})
		}
		return a
	}
	// Answers: 2y from the session's date, of finalised attempts; the
	// attempts always stay.
	attempt(session("2024-12-05"), 3, store.FinalisedSubmitted, "accepted", "pending") // the day before the cut-off: goes, but the late answer awaiting a trainer
	attempt(session("2023-01-10"), 2, store.FinalisedSubmitted, "pending")             // its answers go; the late one awaits a trainer: stays
	attempt(session("2024-12-06"), 2, store.FinalisedSubmitted, "accepted")            // the cut-off day itself: stays
	attempt(session("2026-11-01"), 1, store.FinalisedSubmitted)
	// An attempt still open (the day never closed, paper entry pending): it
	// will be scored from its answers when it ends, so none of them go.
	attempt(session("2022-03-01"), 2, "", "accepted")
	// A finalised attempt whose item scores were never stored (finalised
	// before they were kept, not backfilled yet): its answers are all the
	// programme report's facility can be computed from, so they stay.
	unscored := attempt(session("2023-02-01"), 2, store.FinalisedSubmitted, "accepted")
	if err := db.W.Where("attempt_id = ?", unscored.ID).Delete(&store.ItemScore{}).Error; err != nil {
		t.Fatal(err)
	}
	// Login records: 90d.
	create(&store.LoginSession{TokenHash: "expired-long-ago", UserID: officer.ID, Kind: "browser", CreatedAt: days(100), LastSeenAt: days(100), ExpiresAt: days(91)})
	create(&store.LoginSession{TokenHash: "expired-lately", UserID: officer.ID, Kind: "browser", CreatedAt: days(100), LastSeenAt: days(95), ExpiresAt: days(89)})
	create(&store.LoginSession{TokenHash: "api-valid", UserID: officer.ID, Kind: "api", CreatedAt: days(300), LastSeenAt: days(200), ExpiresAt: now.AddDate(1, 0, 0)})
	create(&store.LoginFailure{Email: "officer@example.org", ClientIP: "10.0.0.1", At: days(91)})
	create(&store.LoginFailure{Email: "officer@example.org", ClientIP: "10.0.0.1", At: days(89)})
	old := session("2026-08-01")
	create(&store.CheckinFailure{SessionID: old.ID, UserID: officer.ID, At: days(127)})
	create(&store.CheckinFailure{SessionID: old.ID, UserID: officer.ID, At: days(3)})
	// Sent e-mails: 30d; the queued one stays whatever its age.
	sentAt := days(31)
	create(&store.OutboxMessage{Kind: "certificate", UserID: &officer.ID, ToAddress: "officer@example.org", Subject: "s", TextBody: "b", Status: store.OutboxSent,
		NextAttemptAt: days(32), CreatedAt: days(32), SentAt: &sentAt,
		Attachments: []store.OutboxAttachment{{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}, {Name: "b.ics", ContentType: "text/calendar", Data: []byte("x")}}})
	create(&store.OutboxMessage{Kind: "invite", ToAddress: "x@example.org", Subject: "s", TextBody: "b", Status: store.OutboxFailed, NextAttemptAt: days(31), CreatedAt: days(40)})
	recent := days(29)
	create(&store.OutboxMessage{Kind: "certificate", ToAddress: "y@example.org", Subject: "s", TextBody: "b", Status: store.OutboxSent, NextAttemptAt: days(29), CreatedAt: days(40), SentAt: &recent,
		Attachments: []store.OutboxAttachment{{Name: "c.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}})
	create(&store.OutboxMessage{Kind: "invite", ToAddress: "z@example.org", Subject: "s", TextBody: "b", Status: store.OutboxQueued, NextAttemptAt: now, CreatedAt: days(100)})
	// Audit: 10y.
	create(&store.AuditEvent{At: now.AddDate(-10, 0, -1), Action: "user.create", After: "{}"})
	create(&store.AuditEvent{At: now.AddDate(-10, 0, 1), Action: "user.create", After: "{}"})
	// Expired links: 30d after their expiry.
	create(&store.OneTimeToken{UserID: officer.ID, Purpose: store.TokenReset, TokenHash: "t1", CreatedAt: days(40), ExpiresAt: days(31)})
	create(&store.OneTimeToken{UserID: officer.ID, Purpose: store.TokenReset, TokenHash: "t2", CreatedAt: days(40), ExpiresAt: days(29)})
	create(&store.OneTimeToken{UserID: officer.ID, Purpose: store.TokenReset, TokenHash: "t3", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	return seeded{
		gone: map[string]int64{"attempt_answers": 5, "late_answers": 1, "login_sessions": 1, "login_failures": 1, "checkin_failures": 1,
			"outbox_attachments": 2, "outbox": 2, "audit_events": 1, "one_time_tokens": 1},
		keep: map[string]int64{"attempt_answers": 7, "late_answers": 5, "login_sessions": 2, "login_failures": 1, "checkin_failures": 1,
			"outbox_attachments": 1, "outbox": 2, "audit_events": 1, "one_time_tokens": 2,
			"attempts": 6, "training_sessions": 7, "users": 1, "agencies": 1},
	}
}

// rowCounts counts the rows of every table of the database.
func rowCounts(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	tables, err := db.W.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := db.W.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func newRetention(db *store.DB, p Policy, log *slog.Logger) *Retention {
	r := NewRetention(db, p, log)
	r.Now = func() time.Time { return retentionNow }
	r.Batch = 2 // several batches per table
	return r
}

func TestRetention_Apply(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{"SQLite": testfixture.SQLite, "PostgreSQL": testfixture.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			testRetentionApply(t, testfixture.Open(t, dsn(t)))
		})
	}
}

func testRetentionApply(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := seedRetention(t, db)
	before := rowCounts(t, db)
	for table, n := range s.keep {
		if before[table] != n+s.gone[table] {
			t.Fatalf("seeded %d rows in %s, want %d", before[table], table, n+s.gone[table])
		}
	}
	var logs bytes.Buffer
	r := newRetention(db, Default(), slog.New(slog.NewTextHandler(&logs, nil)))

	preview, err := r.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after := rowCounts(t, db); !equalCounts(after, before) {
		t.Fatalf("the preview changed rows: %v → %v", before, after)
	}
	run, err := r.Apply(ctx, RunByCommand)
	if err != nil {
		t.Fatal(err)
	}
	after := rowCounts(t, db)
	for table := range before {
		want := before[table] - s.gone[table]
		if table == "audit_events" {
			want++ // the run's own record
		}
		if after[table] != want {
			t.Errorf("%s: %d rows after, want %d (%d before, %d past their period)", table, after[table], want, before[table], s.gone[table])
		}
	}
	// What stays is the row inside its period, by its own mark.
	var left []string
	db.W.Table("login_sessions").Order("token_hash").Pluck("token_hash", &left)
	if len(left) != 2 || left[0] != "api-valid" || left[1] != "expired-lately" {
		t.Errorf("sign-ins left: %v", left)
	}
	var dates []string
	db.W.Raw("SELECT DISTINCT s.date FROM attempt_answers a JOIN attempts t ON t.id = a.attempt_id JOIN training_sessions s ON s.id = t.session_id ORDER BY s.date").Scan(&dates)
	if fmt.Sprint(dates) != "[2022-03-01 2023-02-01 2024-12-06 2026-11-01]" {
		t.Errorf("answers left of sessions %v, want 2022-03-01 (the open attempt), 2023-02-01 (no item scores yet), 2024-12-06 and 2026-11-01", dates)
	}
	var pending int64
	db.W.Table("late_answers").Where("accepted_at IS NULL").Count(&pending)
	if pending != 2 {
		t.Errorf("%d late answers awaiting a trainer left, want those of 2023-01-10 and 2024-12-05", pending)
	}
	var statuses []string
	db.W.Table("outbox").Order("status").Pluck("status", &statuses)
	if len(statuses) != 2 || statuses[0] != "queued" || statuses[1] != "sent" {
		t.Errorf("e-mails left: %v", statuses)
	}
	// The preview counted exactly what the run removed, category by category.
	wantRows := map[string]int64{Answers: 6, LoginRecords: 3, SentEmails: 4, Audit: 1, ExpiredTokens: 1}
	for i, rm := range run.Removals {
		if rm.Rows != wantRows[rm.Category] || preview.Removals[i].Rows != rm.Rows {
			t.Errorf("%s: removed %d, previewed %d, want %d", rm.Category, rm.Rows, preview.Removals[i].Rows, wantRows[rm.Category])
		}
	}
	if a := run.Removals[0]; a.Category != Answers || !a.Cutoff.Equal(time.Date(2024, 12, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("answers cut-off = %v", a.Cutoff)
	}
	if !bytes.Contains(logs.Bytes(), []byte("retention run")) || !bytes.Contains(logs.Bytes(), []byte("answers=6")) {
		t.Errorf("the run was not logged with its counts:\n%s", logs.String())
	}

	// Again: nothing more goes.
	again, err := r.Apply(ctx, RunByJob)
	if err != nil {
		t.Fatal(err)
	}
	if again.Rows() != 0 {
		t.Errorf("a second run removed %d rows", again.Rows())
	}
	runs, err := r.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].By != RunByJob || runs[0].Rows() != 0 || runs[1].By != RunByCommand || runs[1].Rows() != run.Rows() {
		t.Fatalf("runs recorded: %+v", runs)
	}
	got := runs[1].Removals[0]
	if got.Category != Answers || got.Rows != 6 || got.Period != (course.Validity{Years: 2}) || !got.Cutoff.Equal(run.Removals[0].Cutoff) ||
		len(got.Tables) != 2 || got.Tables[0] != (TableCount{"attempt_answers", 5}) {
		t.Errorf("recorded answers removal = %+v", got)
	}
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A period of never removes nothing of its category.
func TestRetention_Never(t *testing.T) {
	db := testfixture.Open(t, testfixture.SQLite(t))
	s := seedRetention(t, db)
	p := Default()
	p.Answers, p.Audit = Never, Never
	run, err := newRetention(db, p, slog.New(slog.DiscardHandler)).Apply(context.Background(), RunByCommand)
	if err != nil {
		t.Fatal(err)
	}
	after := rowCounts(t, db)
	if want := s.keep["attempt_answers"] + s.gone["attempt_answers"]; after["attempt_answers"] != want {
		t.Errorf("answers: %d left, want all %d", after["attempt_answers"], want)
	}
	if want := s.keep["audit_events"] + s.gone["audit_events"] + 1; after["audit_events"] != want {
		t.Errorf("audit: %d left, want all %d and the run's", after["audit_events"], want)
	}
	if run.Removals[0].Rows != 0 || !run.Removals[0].Cutoff.IsZero() || run.Removals[1].Rows != 3 {
		t.Errorf("removals = %+v", run.Removals)
	}
}
