package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func testOutbox(t *testing.T, db *DB) {
	ctx := context.Background()
	// Microseconds, not seconds: SQLite compares times as text, and fractions of a
	// second must not upset the order. A century ahead: a real sender polling a
	// shared database (the mail tests') never finds this test's message due.
	now := time.Now().UTC().AddDate(100, 0, 0).Truncate(time.Microsecond)
	owner := now.UnixNano() // tells this run's messages from others in a shared database
	m := &OutboxMessage{UserID: &owner, Kind: "session_cancelled", ToAddress: "a@example.org", ToName: "דניאל כהן", Language: "en",
		Subject: "Cancelled", TextBody: "text", HTMLBody: "<p>html</p>", Status: OutboxQueued,
		NextAttemptAt: now.Add(-time.Second), CreatedAt: now,
		Attachments: []OutboxAttachment{{Name: "session.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR")}}}

	t.Run("RolledBackIsNotQueued", func(t *testing.T) {
		boom := errors.New("boom")
		lost := &OutboxMessage{Kind: "invitation", ToAddress: "b@example.org", Subject: "x", Status: OutboxQueued, NextAttemptAt: now, CreatedAt: now}
		err := db.Tx(ctx, func(q Q) error {
			if err := q.EnqueueOutbox(lost); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := db.OutboxMessage(ctx, lost.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("a rolled-back message exists: %v", err)
		}
	})

	t.Run("EnqueueAndList", func(t *testing.T) {
		if err := db.Tx(ctx, func(q Q) error { return q.EnqueueOutbox(m) }); err != nil {
			t.Fatal(err)
		}
		list, err := db.OutboxMessages(ctx, OutboxFilter{UserID: &owner, Limit: 10})
		if err != nil || len(list) == 0 || list[0].ID != m.ID {
			t.Fatalf("list = %v, %v", list, err)
		}
		got := list[0]
		if got.ToName != "דניאל כהן" || len(got.Attachments) != 1 || got.Attachments[0].Size != 15 || got.Attachments[0].Data != nil {
			t.Errorf("listed %+v", got)
		}
		if due, _ := db.DueOutbox(ctx, now.Add(-1500*time.Millisecond), 1000); contains(due, m.ID) {
			t.Errorf("a message is due before its time")
		}
		due, err := db.DueOutbox(ctx, now, 1000)
		if err != nil || !contains(due, m.ID) {
			t.Errorf("due = %v, %v", due, err)
		}
		if n, err := db.CountOutbox(ctx); err != nil || n[string(OutboxQueued)] < 1 {
			t.Errorf("count = %v, %v", n, err)
		}
	})

	t.Run("OneClaimWins", func(t *testing.T) {
		var wg sync.WaitGroup
		wins := make(chan int, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := db.ClaimOutbox(ctx, m.ID, now, now.Add(10*time.Minute))
				if err != nil {
					t.Error(err)
				}
				if n > 0 {
					wins <- n
				}
			}()
		}
		wg.Wait()
		close(wins)
		var got []int
		for n := range wins {
			got = append(got, n)
		}
		if len(got) != 1 || got[0] != 1 {
			t.Fatalf("claims won = %v, want exactly one, attempt 1", got)
		}
		if due, _ := db.DueOutbox(ctx, now, 1000); contains(due, m.ID) {
			t.Errorf("a claimed message is still due")
		}
	})

	t.Run("FinishIsFenced", func(t *testing.T) {
		if err := db.FinishOutbox(ctx, m.ID, 7, OutboxSent, now, "", &now); err == nil {
			t.Errorf("a stale attempt recorded its result")
		}
		if err := db.FinishOutbox(ctx, m.ID, 1, OutboxQueued, now.Add(time.Minute), "421 try later", nil); err != nil {
			t.Fatal(err)
		}
		n, err := db.ClaimOutbox(ctx, m.ID, now.Add(2*time.Minute), now.Add(20*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("second claim = %d, %v", n, err)
		}
		sent := now.Add(2 * time.Minute)
		if err := db.FinishOutbox(ctx, m.ID, 2, OutboxSent, sent, "", &sent); err != nil {
			t.Fatal(err)
		}
		got, err := db.OutboxMessage(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != OutboxSent || got.Attempts != 2 || got.SentAt == nil || !got.SentAt.Equal(sent) ||
			string(got.Attachments[0].Data) != "BEGIN:VCALENDAR" {
			t.Errorf("after sending: %+v", got)
		}
		if n, _ := db.ClaimOutbox(ctx, m.ID, now.Add(time.Hour), now.Add(2*time.Hour)); n != 0 {
			t.Errorf("a sent message was claimed again")
		}
		// The sending is in the audit log; the failed retry before it is not.
		events, err := db.Read(ctx).AuditEvents(nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range events {
			if e.Action == "mail.sent" && strings.Contains(e.After, fmt.Sprintf(`"id":%d`, m.ID)) && e.At.Equal(sent) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%d audit events for the sent e-mail, want 1", found)
		}
	})
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestOutbox_SQLite(t *testing.T) { testOutbox(t, openTest(t)) }

func TestOutbox_PostgreSQL(t *testing.T) { testOutbox(t, openTestPostgres(t)) }
