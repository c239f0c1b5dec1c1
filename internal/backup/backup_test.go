package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// trainerSecret is the TOTP secret of the trainer every test data directory has.
const trainerSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// newDataDir makes a data directory as `lectern serve` leaves it: a database
// holding one agency and a trainer with a second factor, sealed with the
// directory's secrets key, and a signing key.
func newDataDir(t *testing.T) (dir string, keyID string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, DatabaseName), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAgency(ctx, &store.Agency{Name: "Backup Agency", Country: "SE"}); err != nil {
		t.Fatal(err)
	}
	// Written plain, then sealed by the start-up pass, as after an upgrade.
	u := &store.User{Email: "trainer@backup.example", Name: "Backup Trainer", Role: "trainer", PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := db.SetTOTP(ctx, u.ID, trainerSecret, &now, nil); err != nil {
		t.Fatal(err)
	}
	key, _, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.NewService(db, quiet, auth.Options{})
	accounts.Secrets = key
	if n, _, err := accounts.SealTOTPSecrets(ctx); err != nil || n != 1 {
		t.Fatalf("seal: %d, %v", n, err)
	}
	signer, _, err := certify.LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	return dir, signer.KeyID
}

// sealedIn reads the stored second-factor secrets of a data directory's
// database and checks they are sealed and open with its secrets key.
func sealedIn(t *testing.T, dir string) {
	t.Helper()
	stored, err := store.TOTPSecretsSQLite(context.Background(), filepath.Join(dir, DatabaseName))
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.Load(filepath.Join(dir, SecretsName))
	if err != nil {
		t.Fatal(err)
	}
	if bad := auth.UnreadableTOTPSecrets(key, stored); len(stored) != 1 || bad != nil {
		t.Errorf("second factors in %s: %d, unreadable with its key: %v", dir, len(stored), bad)
	}
	for _, v := range stored {
		if !secrets.IsSealed(v) || strings.Contains(v, trainerSecret) {
			t.Errorf("stored secret %q", v)
		}
	}
}

func backupOf(t *testing.T, dataDir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "lectern-backup.tar.gz")
	if _, err := Create(context.Background(), Options{DatabasePath: filepath.Join(dataDir, DatabaseName), KeyFile: filepath.Join(dataDir, KeyName),
		SecretsKeyFile: filepath.Join(dataDir, SecretsName), Out: out, Version: "test"}); err != nil {
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
	if len(list) != 4 || list[0].name != ManifestName || list[1].name != DatabaseName || list[2].name != KeyName || list[3].name != SecretsName {
		t.Fatalf("entries: %v", list)
	}
	if list[1].mode != 0o600 || list[2].mode != 0o600 || list[3].mode != 0o600 {
		t.Errorf("modes inside: db %o, key %o, secrets key %o", list[1].mode, list[2].mode, list[3].mode)
	}
	srcSecrets, _ := secrets.Load(filepath.Join(src, SecretsName))
	var m Manifest
	if err := json.Unmarshal(list[0].data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Format != "lectern-backup" || m.FormatVersion != 2 || m.LecternVersion != "test" || m.Schema != store.LatestSchema() || m.KeyID != keyID ||
		m.SecretsKeyID != srcSecrets.ID || m.CreatedAt.IsZero() || len(m.Files) != 3 || len(m.Files[0].SHA256) != 64 {
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
	if strings.Join(names, " ") != "lectern.db secrets.key signing-key.pem" {
		t.Errorf("restored data directory holds %v", names)
	}
	sealedIn(t, target)
	for _, name := range []string{".", DatabaseName, KeyName, SecretsName} {
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
	other, _ := newDataDir(t)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "b.tar.gz")
	cases := map[string]Options{
		"no database": {DatabasePath: filepath.Join(t.TempDir(), DatabaseName), KeyFile: filepath.Join(src, KeyName), Out: out},
		"no key":      {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(t.TempDir(), KeyName), Out: out},
		"no folder":   {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(src, KeyName), Out: filepath.Join(outDir, "nope", "b.tar.gz")},
		// Sealed second factors without their key, or with another's.
		"no secrets key":      {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(src, KeyName), SecretsKeyFile: filepath.Join(t.TempDir(), SecretsName), Out: out},
		"another secrets key": {DatabasePath: filepath.Join(src, DatabaseName), KeyFile: filepath.Join(src, KeyName), SecretsKeyFile: filepath.Join(other, SecretsName), Out: out},
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
	for name, b := range flippedBytes(t, data) {
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
	files["signing key changed, manifest kept"] = edited("key", func(l []entry) []entry {
		key := bytes.Clone(l[2].data)
		key[len(key)/2] ^= 1
		l[2].data = key
		return l
	})
	files["no manifest"] = edited("nomanifest", func(l []entry) []entry { return l[1:] })
	files["no key"] = edited("nokey", func(l []entry) []entry { return l[:2] })
	files["no secrets key"] = edited("nosecrets", func(l []entry) []entry { return l[:3] })
	// Another data directory's secrets key, the manifest rewritten to match it:
	// whole and listed, but the database's second factors do not open with it.
	otherDir, _ := newDataDir(t)
	otherKey, _ := os.ReadFile(filepath.Join(otherDir, SecretsName))
	files["another secrets key"] = edited("othersecrets", func(l []entry) []entry {
		var m Manifest
		json.Unmarshal(l[0].data, &m)
		other, _ := secrets.Load(filepath.Join(otherDir, SecretsName))
		m.SecretsKeyID = other.ID
		sum := sha256.Sum256(otherKey)
		m.Files[2] = File{Name: SecretsName, Size: int64(len(otherKey)), SHA256: hex.EncodeToString(sum[:])}
		data, _ := json.Marshal(m)
		l[0] = entry{ManifestName, 0o644, data}
		l[3] = entry{SecretsName, 0o600, otherKey}
		return l
	})
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
	if _, err := Restore(ctx, RestoreOptions{Archive: files["another secrets key"], DataDir: filepath.Join(t.TempDir(), "d")}); err == nil || !strings.Contains(err.Error(), "do not open") {
		t.Errorf("another secrets key: %v", err)
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

// flippedBytes returns copies of a backup file with one bit changed: in the
// tar stream (inside a member's header, inside its data; recompressed), in the
// gzip trailer (CRC-32, length), and at offsets spread over the compressed
// stream. A flip there can change nothing — in the padding bits of a deflate
// block header, or in the gzip header's time stamp — so an offset counts only
// where decompressing shows the change; each run's database moves the
// offsets, and this keeps the test right on every run.
func flippedBytes(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	plain, err := gunzip(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	// The tar stream: the first member's header (its name), the database's
	// header (its size field, at byte 124 of the block), bytes inside the database.
	hdr, err := tar.NewReader(bytes.NewReader(plain)).Next()
	if err != nil || hdr.Name != ManifestName {
		t.Fatalf("first member: %v, %v", hdr, err)
	}
	dbHeader := 512 + (hdr.Size+511)/512*512
	for name, at := range map[string]int64{"manifest header": 3, "database header": dbHeader + 124 + 5,
		"database data": dbHeader + 512 + 100, "database data, later": dbHeader + 512 + 3000} {
		b := bytes.Clone(plain)
		b[at] ^= 0x40
		out["tar: "+name+" flipped"] = gzipped(t, b)
	}
	// The gzip trailer: read only when restore reads the stream to its end.
	for name, at := range map[string]int{"CRC-32": len(data) - 7, "length": len(data) - 3} {
		b := bytes.Clone(data)
		b[at] ^= 0x40
		out["gzip trailer: "+name+" flipped"] = b
	}
	counted := 0
	for i := 1; i < 32; i++ {
		at := i * len(data) / 32
		b := bytes.Clone(data)
		b[at] ^= 0x40
		if got, err := gunzip(b); err == nil && bytes.Equal(got, plain) {
			t.Logf("byte %d of %d: flipping it changes nothing once decompressed", at, len(data))
			continue
		}
		out[fmt.Sprintf("compressed byte %d of %d flipped", at, len(data))] = b
		counted++
	}
	if counted < 16 {
		t.Fatalf("only %d of 31 flipped bytes change the decompressed backup", counted)
	}
	return out
}

// gunzip decompresses a whole gzip stream, its trailer's checksum included.
func gunzip(data []byte) ([]byte, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(gz)
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBackup_RestoreRefusesOversizedMembers: a key member of 300 MB, or a
// member larger than the manifest says, is refused at its tar header, before
// its bytes are read or written. The archive reaches Restore through a named
// pipe, written lazily, so the test sees how much of it Restore read.
func TestBackup_RestoreRefusesOversizedMembers(t *testing.T) {
	ctx := context.Background()
	src, _ := newDataDir(t)
	list := readEntries(t, backupOf(t, src))
	const huge, big = 300 << 20, 16 << 20
	cases := map[string]struct {
		member       string
		size         int64 // the member's size in its tar header, and what the pipe carries
		manifestSays int64 // 0: what the manifest says is left as it is
		want         string
	}{
		"signing key of 300 MB, so listed": {KeyName, huge, huge, "more than a key file can be"},
		"secrets key of 300 MB, so listed": {SecretsName, huge, huge, "more than a key file can be"},
		"database larger than listed":      {DatabaseName, huge, 0, "the manifest says"},
		// No fixed cap on a database: one of 16 MB, so listed, is read to its
		// end and refused by its checksum.
		"database of 16 MB, so listed": {DatabaseName, big, big, "SHA-256"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var m Manifest
			if err := json.Unmarshal(list[0].data, &m); err != nil {
				t.Fatal(err)
			}
			for i := range m.Files {
				if m.Files[i].Name == tc.member && tc.manifestSays > 0 {
					m.Files[i].Size = tc.manifestSays
				}
			}
			manifest, _ := json.Marshal(m)
			pipe := filepath.Join(t.TempDir(), "backup.tar.gz")
			if err := syscall.Mkfifo(pipe, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			written := make(chan int64, 1)
			go func() {
				f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
				if err != nil {
					written <- -1
					return
				}
				defer f.Close()
				cw := &countingWriter{w: f}
				gz, _ := gzip.NewWriterLevel(cw, gzip.NoCompression) // every byte of the member crosses the pipe
				tw := tar.NewWriter(gz)
				tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o644, Size: int64(len(manifest)), Typeflag: tar.TypeReg})
				tw.Write(manifest)
				for _, e := range list[1:] {
					if e.name != tc.member {
						tw.WriteHeader(&tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg})
						tw.Write(e.data)
						continue
					}
					// The member's own bytes, then zeros up to 300 MB.
					if tw.WriteHeader(&tar.Header{Name: e.name, Mode: e.mode, Size: tc.size, Typeflag: tar.TypeReg}) != nil {
						break
					}
					if _, err := tw.Write(e.data); err != nil {
						break
					}
					if _, err := io.CopyN(tw, zeros{}, tc.size-int64(len(e.data))); err != nil {
						break // restore stopped reading: the pipe is closed
					}
				}
				tw.Close()
				gz.Close()
				written <- cw.n
			}()
			target := filepath.Join(t.TempDir(), "data")
			_, err := Restore(ctx, RestoreOptions{Archive: pipe, DataDir: target})
			// Unblock the writer should Restore not have opened the pipe at all.
			if r, oerr := os.OpenFile(pipe, os.O_RDONLY|syscall.O_NONBLOCK, 0); oerr == nil {
				r.Close()
			}
			n := <-written
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.member) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrDamaged naming %s: …%s…", err, tc.member, tc.want)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("target created: %v", err)
			}
			if tc.manifestSays == big {
				if n < big {
					t.Errorf("restore read %d bytes of a database member of %d", n, big)
				}
				return
			}
			if n < 0 || n > 8<<20 {
				t.Errorf("restore read %d bytes of the archive before refusing it", n)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
		if _, err := secrets.Load(filepath.Join(res.MovedAside, SecretsName)); err != nil {
			t.Errorf("old secrets key aside: %v", err)
		}
		sealedIn(t, target)
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

// TestBackup_Format1 restores a backup made before second-factor secrets were
// sealed: no secrets key in it, plain secrets in its database. A secrets key
// already in the target is moved aside with the old database, so serve creates
// a new one and seals the plain secrets, instead of keeping a key that is not
// the restored database's.
func TestBackup_Format1(t *testing.T) {
	ctx := context.Background()
	src, _ := newDataDir(t)
	// The database as a format-1 backup holds it: the secret plain.
	db, err := store.Open(ctx, filepath.Join(src, DatabaseName), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.W.Exec("UPDATE users SET totp_secret = ?", trainerSecret).Error; err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.Remove(filepath.Join(src, SecretsName))
	out := backupOf(t, src)
	list := readEntries(t, out)
	var m Manifest
	if err := json.Unmarshal(list[0].data, &m); err != nil || len(list) != 3 || m.SecretsKeyID != "" {
		t.Fatalf("a backup without a secrets key: %d entries, %+v, %v", len(list), m, err)
	}
	m.FormatVersion = 1
	list[0].data, _ = json.Marshal(m)
	format1 := filepath.Join(t.TempDir(), "format1.tar.gz")
	writeEntries(t, format1, list)

	target, _ := newDataDir(t)
	res, err := Restore(ctx, RestoreOptions{Archive: format1, DataDir: target, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(target, SecretsName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a secrets key was left beside the restored database: %v", err)
	}
	if _, err := secrets.Load(filepath.Join(res.MovedAside, SecretsName)); err != nil {
		t.Errorf("the old secrets key is not aside: %v", err)
	}
	// What serve does at start: a new key, the plain secret sealed with it.
	key, created, err := secrets.LoadOrCreate(target)
	if err != nil || !created {
		t.Fatalf("new key: %v, created %v", err, created)
	}
	db, err = store.Open(ctx, filepath.Join(target, DatabaseName), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts := auth.NewService(db, quiet, auth.Options{})
	accounts.Secrets = key
	if n, bad, err := accounts.SealTOTPSecrets(ctx); err != nil || n != 1 || len(bad) != 0 {
		t.Fatalf("start-up pass: %d sealed, unreadable %v, %v", n, bad, err)
	}
	sealedIn(t, target)

	t.Run("format 1 naming a secrets key", func(t *testing.T) {
		list := readEntries(t, backupOf(t, target))
		var m Manifest
		json.Unmarshal(list[0].data, &m)
		m.FormatVersion = 1
		list[0].data, _ = json.Marshal(m)
		p := filepath.Join(t.TempDir(), "b.tar.gz")
		writeEntries(t, p, list)
		if _, err := Restore(ctx, RestoreOptions{Archive: p, DataDir: filepath.Join(t.TempDir(), "d")}); !errors.Is(err, ErrDamaged) {
			t.Errorf("err = %v, want ErrDamaged", err)
		}
	})
}
