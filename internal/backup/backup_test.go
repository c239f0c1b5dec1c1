package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newDataDir makes a data directory as `lectern serve` leaves it: a database
// holding one agency, and a signing key.
func newDataDir(t *testing.T) (dir string, keyID string) {
	t.Helper()
	dir = t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, DatabaseName), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAgency(context.Background(), &store.Agency{Name: "Backup Agency", Country: "SE"}); err != nil {
		t.Fatal(err)
	}
	signer, _, err := certify.LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	return dir, signer.KeyID
}

func backupOf(t *testing.T, dataDir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "lectern-backup.tar.gz")
	if _, err := Create(context.Background(), Options{DatabasePath: filepath.Join(dataDir, DatabaseName), KeyFile: filepath.Join(dataDir, KeyName), Out: out, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return out
}

type entry struct {
	name string
	mode int64
	data []byte
}

func readEntries(t *testing.T, path string) []entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out []entry
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		out = append(out, entry{hdr.Name, hdr.Mode, data})
	}
}

func writeEntries(t *testing.T, path string, list []entry) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range list {
		tw.WriteHeader(&tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg})
		tw.Write(e.data)
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBackup_CreateAndRestore(t *testing.T) {
	ctx := context.Background()
	src, keyID := newDataDir(t)
	out := backupOf(t, src)

	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, st.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
		t.Errorf("work files left beside the backup: %v", left)
	}
	list := readEntries(t, out)
	if len(list) != 3 || list[0].name != ManifestName || list[1].name != DatabaseName || list[2].name != KeyName {
		t.Fatalf("entries: %v", list)
	}
	if list[1].mode != 0o600 || list[2].mode != 0o600 {
		t.Errorf("modes inside: db %o, key %o", list[1].mode, list[2].mode)
	}
	var m Manifest
	if err := json.Unmarshal(list[0].data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Format != "lectern-backup" || m.FormatVersion != 1 || m.LecternVersion != "test" || m.Schema != store.LatestSchema() || m.KeyID != keyID || m.CreatedAt.IsZero() || len(m.Files) != 2 || len(m.Files[0].SHA256) != 64 {
		t.Errorf("manifest: %+v", m)
	}

	target := filepath.Join(t.TempDir(), "restored")
	res, err := Restore(ctx, RestoreOptions{Archive: out, DataDir: target})
	if err != nil {
		t.Fatal(err)
	}
	if res.MovedAside != "" || res.Manifest.KeyID != keyID {
		t.Errorf("restored: %+v", res)
	}
	names, _ := entries(target)
	if strings.Join(names, " ") != "lectern.db signing-key.pem" {
		t.Errorf("restored data directory holds %v", names)
	}
	for _, name := range []string{".", DatabaseName, KeyName} {
		st, _ := os.Stat(filepath.Join(target, name))
		if want := os.FileMode(0o600); name == "." && st.Mode().Perm() != 0o700 || name != "." && st.Mode().Perm() != want {
			t.Errorf("%s: mode %v", name, st.Mode())
		}
	}
	signer, err := certify.LoadKey(target, "")
	if err != nil || signer.KeyID != keyID {
		t.Errorf("restored key: %v, %v", signer, err)
	}
	db, err := store.Open(ctx, filepath.Join(target, DatabaseName), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	agencies, err := db.Agencies(ctx, nil)
	if err != nil || len(agencies) != 1 || agencies[0].Name != "Backup Agency" {
		t.Errorf("restored agencies: %+v, %v", agencies, err)
	}
}

func TestBackup_CreateRefusals(t *testing.T) {
	ctx := context.Background()
	src, _ := newDataDir(t)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "b.tar.gz")
	cases := map[string]Options{
		"no database": {DatabasePath: filepath.Join(t.TempDir(), DatabaseName), KeyFile: filepath.Join(src, KeyName), Out: out},
		"no key":      {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(t.TempDir(), KeyName), Out: out},
		"no folder":   {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(src, KeyName), Out: filepath.Join(outDir, "nope", "b.tar.gz")},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Create(ctx, o); err == nil {
				t.Fatal("no error")
			}
			if left, _ := os.ReadDir(outDir); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func TestBackup_RestoreRefusesDamagedFiles(t *testing.T) {
	ctx := context.Background()
	src, _ := newDataDir(t)
	good := backupOf(t, src)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	files := map[string]string{
		"truncated": write("truncated", data[:len(data)/2]),
		"empty":     write("empty", nil),
		"not gzip":  write("notgzip", []byte("hello, this is not a backup\n")),
	}
	for _, at := range []int{len(data) / 5, len(data) / 3, len(data) / 2, 2 * len(data) / 3, len(data) - 12} {
		b := bytes.Clone(data)
		b[at] ^= 0x40
		name := fmt.Sprintf("byte %d of %d flipped", at, len(data))
		files[name] = write(name, b)
	}
	list := readEntries(t, good)
	edited := func(name string, edit func([]entry) []entry) string {
		p := filepath.Join(dir, name)
		writeEntries(t, p, edit(append([]entry(nil), list...)))
		return p
	}
	files["database changed, manifest kept"] = edited("db", func(l []entry) []entry {
		db := bytes.Clone(l[1].data)
		db[len(db)-1] ^= 1
		l[1].data = db
		return l
	})
	files["no manifest"] = edited("nomanifest", func(l []entry) []entry { return l[1:] })
	files["no key"] = edited("nokey", func(l []entry) []entry { return l[:2] })
	files["an extra entry"] = edited("extra", func(l []entry) []entry { return append(l, entry{"../evil", 0o600, []byte("x")}) })

	for name, path := range files {
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "data")
			_, err := Restore(ctx, RestoreOptions{Archive: path, DataDir: target})
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("err = %v, want ErrDamaged", err)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("target created: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "evil")); err == nil {
		t.Errorf("an entry escaped the staging folder")
	}
	_, err = Restore(ctx, RestoreOptions{Archive: files["database changed, manifest kept"], DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "SHA-256 checksum mismatch") {
		t.Errorf("changed database: %v", err)
	}
	// A target that existed empty stays, empty.
	target := t.TempDir()
	if _, err := Restore(ctx, RestoreOptions{Archive: files["truncated"], DataDir: target}); !errors.Is(err, ErrDamaged) {
		t.Errorf("truncated into an empty folder: %v", err)
	}
	if names, _ := entries(target); len(names) > 0 {
		t.Errorf("left in the target: %v", names)
	}
}

func TestBackup_RestoreTargets(t *testing.T) {
	ctx := context.Background()
	src, keyID := newDataDir(t)
	good := backupOf(t, src)

	t.Run("missing file", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "data")
		_, err := Restore(ctx, RestoreOptions{Archive: filepath.Join(t.TempDir(), "none.tar.gz"), DataDir: target})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("target created")
		}
	})
	t.Run("non-empty target without force", func(t *testing.T) {
		target, _ := newDataDir(t)
		before, _ := os.ReadFile(filepath.Join(target, KeyName))
		_, err := Restore(ctx, RestoreOptions{Archive: good, DataDir: target})
		if !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("err = %v", err)
		}
		after, _ := os.ReadFile(filepath.Join(target, KeyName))
		if !bytes.Equal(before, after) {
			t.Errorf("the key changed")
		}
	})
	t.Run("force moves the old files aside", func(t *testing.T) {
		target, oldKey := newDataDir(t)
		res, err := Restore(ctx, RestoreOptions{Archive: good, DataDir: target, Force: true})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(res.MovedAside) != target || !strings.HasPrefix(filepath.Base(res.MovedAside), "pre-restore-") {
			t.Fatalf("moved aside to %q", res.MovedAside)
		}
		if s, err := certify.LoadKey(res.MovedAside, ""); err != nil || s.KeyID != oldKey {
			t.Errorf("old key aside: %v", err)
		}
		if _, err := store.CheckSQLite(ctx, filepath.Join(res.MovedAside, DatabaseName)); err != nil {
			t.Errorf("old database aside: %v", err)
		}
		if s, err := certify.LoadKey(target, ""); err != nil || s.KeyID != keyID {
			t.Errorf("restored key: %v", err)
		}
	})
	t.Run("database in use", func(t *testing.T) {
		target, _ := newDataDir(t)
		db, err := store.Open(ctx, filepath.Join(target, DatabaseName), quiet)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := Restore(ctx, RestoreOptions{Archive: good, DataDir: target, Force: true}); !errors.Is(err, ErrInUse) {
			t.Errorf("err = %v, want ErrInUse", err)
		}
		if s, err := certify.LoadKey(target, ""); err != nil || s.KeyID == keyID {
			t.Errorf("the key of a data directory in use was replaced (%v)", err)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		dir, _ := newDataDir(t)
		db, err := store.Open(ctx, filepath.Join(dir, DatabaseName), quiet)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.W.Exec("INSERT INTO migrations (id) VALUES ('29991231-01-from-the-future')").Error; err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = Restore(ctx, RestoreOptions{Archive: backupOf(t, dir), DataDir: filepath.Join(t.TempDir(), "data")})
		if !errors.Is(err, ErrNewer) {
			t.Errorf("err = %v, want ErrNewer", err)
		}
	})
}
