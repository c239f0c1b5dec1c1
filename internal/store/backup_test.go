package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSnapshotSQLite_ConsistentWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.W.Exec("CREATE TABLE counter (n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	// A writer commits 1, 2, 3, … while the snapshot is taken: the copy must
	// hold a prefix, with at least every row committed before it began.
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := int64(1); ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.W.Exec("INSERT INTO counter (n) VALUES (?)", n).Error; err != nil {
				t.Error(err)
				return
			}
			committed.Store(n)
		}
	}()
	for committed.Load() < 200 {
	}
	before := committed.Load()
	dest := filepath.Join(t.TempDir(), "copy.db")
	err := SnapshotSQLite(ctx, db.Path, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := CheckSQLite(ctx, dest)
	if err != nil || schema != LatestSchema() {
		t.Fatalf("CheckSQLite = %q, %v", schema, err)
	}
	copyDB, err := Open(ctx, dest, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var count, max int64
	if err := copyDB.R.Raw("SELECT count(*), coalesce(max(n), 0) FROM counter").Row().Scan(&count, &max); err != nil {
		t.Fatal(err)
	}
	if max < before || count != max {
		t.Errorf("copy holds %d rows up to %d; %d were committed before it began", count, max, before)
	}
	if err := SnapshotSQLite(ctx, db.Path, dest); err == nil {
		t.Errorf("VACUUM INTO overwrote an existing file")
	}
}

func TestCheckSQLite_RefusesDamagedFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := CheckSQLite(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Errorf("a missing file passed")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Errorf("checking a missing file created it")
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database, not at all, no sir; sixteen bytes and more"), 0o600)
	if _, err := CheckSQLite(ctx, junk); err == nil {
		t.Errorf("junk passed")
	}
	// A valid SQLite file that is not Lectern's.
	other := filepath.Join(dir, "other.db")
	db, err := Open(ctx, filepath.Join(dir, "src.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	db.W.Exec("DROP TABLE migrations")
	if err := SnapshotSQLite(ctx, db.Path, other); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := CheckSQLite(ctx, other); err == nil {
		t.Errorf("a database without migrations passed")
	}
}

func TestCheckNotInUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lectern.db")
	db, err := Open(ctx, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Agencies(ctx, nil); err != nil { // the read pool has a connection too
		t.Fatal(err)
	}
	if err := CheckNotInUse(ctx, path); !errors.Is(err, ErrInUse) {
		t.Errorf("open database: CheckNotInUse = %v, want ErrInUse", err)
	}
	db.Close()
	if err := CheckNotInUse(ctx, path); err != nil {
		t.Errorf("closed database: CheckNotInUse = %v", err)
	}
}

func TestKnownSchema(t *testing.T) {
	if !KnownSchema(LatestSchema()) || !KnownSchema(migrations[0].ID) || KnownSchema("29991231-01-from-the-future") {
		t.Errorf("KnownSchema disagrees with the migrations")
	}
}
