package store

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkStatusListState reads a status list's stamp (every GET
// /credentials/status/{n}) in a table of 100,000 certificates across two
// lists, 100 revoked in list 1: with the indexes of StatusListState, and with
// them dropped (the scan before review F14) in the same run.
//
//	go test ./internal/store -run '^$' -bench StatusListState -benchtime 200x
func BenchmarkStatusListState(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const n = 100_000
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// Certificates alone: no sessions or users to point to.
	if err := db.W.Exec("PRAGMA foreign_keys = OFF").Error; err != nil {
		b.Fatal(err)
	}
	for start := 0; start < n; start += 500 {
		var rows []string
		var args []any
		for i := start; i < start+500; i++ {
			status, revokedAt := "valid", any(nil)
			if i%1000 == 0 {
				status, revokedAt = "revoked", at.Add(time.Duration(i)*time.Second)
			}
			rows = append(rows, "(?, 1, ?, 'H', 'c', 'C', 'h', '2026-12-01', 'Paris', 'FR', ?, ?, ?, x'7b7d', 's', ?, ?)")
			args = append(args, fmt.Sprintf("S%07d", i), i+1, at, status, revokedAt, 1+i%2, i/2)
		}
		err := db.W.Exec(`INSERT INTO certificates (serial, session_id, user_id, holder_name, course_id, course_title, course_hash,
			session_date, city, country, issued_at, status, revoked_at, payload, signature, status_list, status_index) VALUES `+strings.Join(rows, ","), args...).Error
		if err != nil {
			b.Fatal(err)
		}
	}
	q := db.Read(b.Context())
	run := func(b *testing.B) {
		for b.Loop() {
			st, err := q.StatusListState(1)
			if err != nil || st.Revoked != 100 {
				b.Fatalf("%+v, %v", st, err)
			}
		}
	}
	b.Run("indexed", run)
	if err := rollbackStatusListIndexes(db.W); err != nil {
		b.Fatal(err)
	}
	b.Run("scan", run)
}
