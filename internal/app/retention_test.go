package app

import (
	"context"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// The retention job runs once a day across processes: two Apps on one
// database (two `lectern serve`), each asked to run it, remove the old rows
// once and record one run; the second is told it already ran.
func TestApp_RetentionJobOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := testfixture.SQLite(t)
	db1, db2 := testfixture.Open(t, path), testfixture.Open(t, path)
	old := time.Now().UTC().AddDate(-11, 0, 0)
	if err := db1.W.Create(&store.AuditEvent{At: old, Action: "user.create", After: "{}"}).Error; err != nil {
		t.Fatal(err)
	}
	a1, err := New(db1, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := New(db2, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ran1, err := a1.Jobs.RunNow(ctx, "retention")
	if err != nil || !ran1 {
		t.Fatalf("first process: ran %v, %v", ran1, err)
	}
	ran2, err := a2.Jobs.RunNow(ctx, "retention")
	if err != nil || ran2 {
		t.Fatalf("second process: ran %v, %v; want it to find today's run done", ran2, err)
	}
	runs, err := a2.Retention.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].By != privacy.RunByJob || runs[0].Rows() != 1 {
		t.Fatalf("runs recorded: %+v", runs)
	}
	var n int64
	db2.W.Model(&store.AuditEvent{}).Where("at < ?", old.Add(time.Hour)).Count(&n)
	if n != 0 {
		t.Errorf("the 11-year-old audit entry is still there")
	}
}
