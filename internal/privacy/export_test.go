package privacy

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// heapSampler is a writer that keeps nothing and samples the live heap every
// few MB written: the export's memory while it streams.
type heapSampler struct {
	n, next      int64
	first, peak  uint64
	samples      int
	every        int64
	afterSamples int // samples before first is taken (warm-up)
}

func (w *heapSampler) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.n >= w.next {
		w.next = w.n + w.every
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.samples++
		switch {
		case w.samples == w.afterSamples:
			w.first = m.HeapAlloc
		case w.samples > w.afterSamples && m.HeapAlloc > w.peak:
			w.peak = m.HeapAlloc
		}
	}
	return len(p), nil
}

// A long history is written as it is read: an officer with 60,000 audit
// entries and 6,000 e-mails (a ZIP of ~10 MB) leaves the live heap where it
// was after the first 2 MB. Paging by id also keeps each entry
// once and in order.
func TestExporter_LongHistoryStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 66,000 rows")
	}
	const audits, mails = 60_000, 6_000
	db := testfixture.Open(t, testfixture.SQLite(t))
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	u := &store.User{Email: "long@test.example", Name: "Long History", Role: "officer", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// Values that do not compress, so the ZIP is as long as the history.
	rnd := rand.New(rand.NewPCG(1, 2))
	events := make([]store.AuditEvent, audits)
	for i := range events {
		noise := make([]byte, 150)
		for j := range noise {
			noise[j] = byte(rnd.IntN(256))
		}
		events[i] = store.AuditEvent{At: now.Add(time.Duration(i) * time.Second), ActorID: &u.ID, UserID: &u.ID, Action: "test.long",
			After: fmt.Sprintf(`{"note":%q}`, hex.EncodeToString(noise))}
	}
	messages := make([]store.OutboxMessage, mails)
	for i := range messages {
		messages[i] = store.OutboxMessage{Kind: "test", UserID: &u.ID, ToAddress: u.Email, Subject: fmt.Sprintf("Subject %d", i),
			Status: store.OutboxSent, NextAttemptAt: now, CreatedAt: now}
	}
	if err := db.W.CreateInBatches(events, 1000).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.W.CreateInBatches(messages, 1000).Error; err != nil {
		t.Fatal(err)
	}
	ex := NewExporter(db, ExportOptions{})
	me := auth.ActorFor(auth.UserOf(u))
	prepared, err := ex.Prepare(ctx, me, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := &heapSampler{every: 1 << 20, afterSamples: 2}
	if err := ex.WriteZIP(ctx, out, prepared); err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	t.Logf("ZIP %.1f MB; live heap after %d samples %.1f MiB, peak after %.1f MiB (%d samples)",
		float64(out.n)/1e6, out.afterSamples, float64(out.first)/mib, float64(out.peak)/mib, out.samples)
	if out.samples < 4 {
		t.Fatalf("only %d samples over %d bytes: the test measures nothing", out.samples, out.n)
	}
	if out.peak > out.first && out.peak-out.first >= 8*mib {
		t.Errorf("live heap grew by %.1f MiB while the ZIP was written: it is not streamed", float64(out.peak-out.first)/mib)
	}

	// The same export, kept this time: every entry once, in order, valid JSON.
	var buf bytes.Buffer
	if err := ex.WriteZIP(ctx, &buf, prepared); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil || zr.File[0].Name != "data.json" {
		t.Fatalf("first file %s: %v", zr.File[0].Name, err)
	}
	data, _ := io.ReadAll(rc)
	var got struct {
		Audit []struct {
			ID     int64  `json:"id"`
			Action string `json:"action"`
		} `json:"audit"`
		Emails []struct {
			Subject string `json:"subject"`
		} `json:"emails"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	// The export's own audit entry (Prepare) comes last.
	if len(got.Audit) != audits+1 || len(got.Emails) != mails {
		t.Fatalf("%d audit entries, %d e-mails; want %d and %d", len(got.Audit), len(got.Emails), audits+1, mails)
	}
	for i := 1; i < len(got.Audit); i++ {
		if got.Audit[i].ID <= got.Audit[i-1].ID {
			t.Fatalf("audit entry %d (id %d) after id %d", i, got.Audit[i].ID, got.Audit[i-1].ID)
		}
	}
	if got.Audit[audits].Action != ExportAction || got.Emails[mails-1].Subject != fmt.Sprintf("Subject %d", mails-1) {
		t.Errorf("last entries: %+v, %+v", got.Audit[audits], got.Emails[mails-1])
	}
}
