package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

var (
	// ErrDamaged: the file is not a backup, or its contents do not match its
	// manifest (a flipped byte, a truncated copy).
	ErrDamaged = errors.New("damaged or not a Lectern backup")
	// ErrNotEmpty: the target data directory holds files and Force is off.
	ErrNotEmpty = errors.New("the data directory is not empty")
	// ErrNewer: the backup's schema or format is newer than this build knows.
	ErrNewer = errors.New("made by a newer Lectern")
	// ErrInUse: a server has the target's database open.
	ErrInUse = store.ErrInUse
)

// RestoreOptions says which backup to restore where.
type RestoreOptions struct {
	Archive string
	DataDir string
	// Force replaces the database and keys of a data directory that has files;
	// the old ones are moved into a pre-restore-… folder inside it, not deleted.
	Force bool
}

// Restored reports what a restore did.
type Restored struct {
	Manifest   *Manifest
	MovedAside string // folder holding the replaced files, or ""
}

// movable are the files a restore replaces, moved aside together so that an old
// database keeps its write-ahead log. The secrets key goes too, also when the
// backup has none (format 1): an old key beside the restored database would
// not be its key; serve creates a new one and seals the plain secrets.
var movable = []string{DatabaseName, DatabaseName + "-wal", DatabaseName + "-shm", KeyName, SecretsName}

// Restore checks a backup completely — every file against the manifest's
// SHA-256, the database with PRAGMA integrity_check, the keys by parsing them,
// the database's sealed second-factor secrets by opening them with the secrets
// key — in a staging folder inside the data directory, and only then moves the
// database and keys into place (mode 0600). A failed restore leaves the data
// directory as it was. The server must be stopped: a database that another
// process has open is refused, but nothing stops a server starting meanwhile.
func Restore(ctx context.Context, o RestoreOptions) (*Restored, error) {
	existing, err := entries(o.DataDir)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 && !o.Force {
		return nil, fmt.Errorf("%s holds %s: %w", o.DataDir, listSome(existing), ErrNotEmpty)
	}
	if err := checkNotInUse(ctx, o.DataDir); err != nil {
		return nil, err
	}
	in, err := os.Open(o.Archive)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	defer in.Close()

	created := false
	if _, err := os.Stat(o.DataDir); errors.Is(err, os.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	staging, err := os.MkdirTemp(o.DataDir, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("staging folder: %w", err)
	}
	ok := false
	defer func() {
		os.RemoveAll(staging)
		if !ok && created {
			os.Remove(o.DataDir)
		}
	}()

	m, err := unpack(in, staging)
	if errors.Is(err, ErrNewer) {
		return nil, fmt.Errorf("%s: %w", o.Archive, err)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", o.Archive, ErrDamaged, err)
	}
	if err := check(ctx, m, staging); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Archive, err)
	}

	res := &Restored{Manifest: m}
	if len(existing) > 0 {
		// Checked again: the server may have been started while we unpacked.
		if err := checkNotInUse(ctx, o.DataDir); err != nil {
			return nil, err
		}
		if res.MovedAside, err = moveAside(o.DataDir); err != nil {
			return nil, err
		}
	}
	names := []string{KeyName, DatabaseName}
	if m.SecretsKeyID != "" {
		names = []string{KeyName, SecretsName, DatabaseName}
	}
	for _, name := range names {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(o.DataDir, name)); err != nil {
			return nil, fmt.Errorf("move %s into place: %w", name, err)
		}
	}
	syncDir(o.DataDir)
	ok = true
	return res, nil
}

// entries lists a directory's names; a missing directory has none.
func entries(dir string) ([]string, error) {
	list, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	names := make([]string, len(list))
	for i, e := range list {
		names[i] = e.Name()
	}
	return names, nil
}

func listSome(names []string) string {
	if len(names) > 3 {
		return fmt.Sprintf("%q and %d more", names[:3], len(names)-3)
	}
	return fmt.Sprintf("%q", names)
}

// checkNotInUse refuses a data directory whose database a server has open. A
// file SQLite cannot open at all (a damaged database, the very reason to
// restore) is no server's: it is moved aside like any other.
func checkNotInUse(ctx context.Context, dir string) error {
	path := filepath.Join(dir, DatabaseName)
	if _, err := os.Stat(path); err != nil {
		return nil // no database, nothing can be using it
	}
	if err := store.CheckNotInUse(ctx, path); errors.Is(err, ErrInUse) {
		return err
	}
	return nil
}

const (
	// maxManifest bounds what is read for the manifest of an untrusted file.
	maxManifest = 1 << 20
	// maxKeyFile bounds a key member: the signing key's PEM and the secrets
	// key are a few hundred bytes.
	maxKeyFile = 64 << 10
)

// unpack reads the archive into dir: the manifest, which must come first, and
// each data file (mode 0600, synced) with its size and SHA-256 as read. A
// member whose tar header declares another size than the manifest lists, or a
// key larger than maxKeyFile, is refused before any of its bytes are read, so
// a crafted file cannot fill the disk. It reads the gzip stream to its end, so
// its own checksum is checked too.
func unpack(r io.Reader, dir string) (*Manifest, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	var m *Manifest
	got := map[string]File{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("unexpected entry %q", hdr.Name)
		}
		if m == nil {
			if hdr.Name != ManifestName {
				return nil, fmt.Errorf("no %s before %q", ManifestName, hdr.Name)
			}
			if m, err = readManifest(tr); err != nil {
				return nil, err
			}
			continue
		}
		switch hdr.Name {
		case ManifestName:
			return nil, errors.New("two manifests")
		case DatabaseName, KeyName, SecretsName:
			if _, dup := got[hdr.Name]; dup {
				return nil, fmt.Errorf("%s twice", hdr.Name)
			}
			want, err := m.listed(hdr.Name, hdr.Size)
			if err != nil {
				return nil, err
			}
			f, err := extract(io.LimitReader(tr, want.Size), filepath.Join(dir, hdr.Name))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", hdr.Name, err)
			}
			got[hdr.Name] = f
		default:
			return nil, fmt.Errorf("unexpected entry %q", hdr.Name)
		}
	}
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("no manifest.json")
	}
	for _, want := range m.Files {
		have, ok := got[want.Name]
		switch {
		case !ok:
			return nil, fmt.Errorf("%s is listed but missing", want.Name)
		case have.Size != want.Size:
			return nil, fmt.Errorf("%s: %d bytes, the manifest says %d", want.Name, have.Size, want.Size)
		case have.SHA256 != want.SHA256:
			return nil, fmt.Errorf("%s: SHA-256 checksum mismatch (%s, the manifest says %s)", want.Name, have.SHA256, want.SHA256)
		}
	}
	return m, nil
}

// readManifest reads and checks the manifest: its format, and the files it lists.
func readManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, errors.New("manifest too large")
	}
	m := &Manifest{}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Format != formatName {
		return nil, fmt.Errorf("manifest format %q", m.Format)
	}
	if m.FormatVersion > formatVersion {
		return nil, fmt.Errorf("backup format %d: %w (this build reads format %d)", m.FormatVersion, ErrNewer, formatVersion)
	}
	if err := checkFileList(m); err != nil {
		return nil, err
	}
	return m, nil
}

// listed is the manifest's entry for a data member whose tar header declares
// size bytes: refused when the manifest does not list it, lists another size,
// or the member is a key larger than any key can be.
func (m *Manifest) listed(name string, size int64) (File, error) {
	if (name == KeyName || name == SecretsName) && size > maxKeyFile {
		return File{}, fmt.Errorf("%s: %d bytes, more than a key file can be (%d)", name, size, maxKeyFile)
	}
	for _, f := range m.Files {
		if f.Name == name {
			if f.Size != size {
				return File{}, fmt.Errorf("%s: %d bytes, the manifest says %d", name, size, f.Size)
			}
			return f, nil
		}
	}
	return File{}, fmt.Errorf("%s is not listed in the manifest", name)
}

// checkFileList: the manifest lists the database and the signing key, and the
// secrets key exactly when it names one (never in format 1).
func checkFileList(m *Manifest) error {
	want := map[string]bool{DatabaseName: true, KeyName: true}
	if m.SecretsKeyID != "" {
		if m.FormatVersion < 2 {
			return fmt.Errorf("a format-%d manifest names a secrets key", m.FormatVersion)
		}
		want[SecretsName] = true
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		if !want[f.Name] || listed[f.Name] {
			return fmt.Errorf("manifest lists %s, want %s", f.Name, wantList(want))
		}
		listed[f.Name] = true
	}
	if len(listed) != len(want) {
		return fmt.Errorf("manifest lists %d files, want %s", len(listed), wantList(want))
	}
	return nil
}

func wantList(want map[string]bool) string {
	names := []string{DatabaseName, KeyName, SecretsName}
	var out []string
	for _, n := range names {
		if want[n] {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

func extract(r io.Reader, path string) (File, error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// check opens what was unpacked: the database must pass integrity_check and
// carry the manifest's schema, known to this build; the key must parse and be
// the manifest's.
func check(ctx context.Context, m *Manifest, dir string) error {
	schema, err := store.CheckSQLite(ctx, filepath.Join(dir, DatabaseName))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if schema != m.Schema {
		return fmt.Errorf("%w: the database has schema %s, the manifest says %s", ErrDamaged, schema, m.Schema)
	}
	if !store.KnownSchema(schema) {
		return fmt.Errorf("schema %s, by Lectern %s: %w; this build knows up to %s — restore with that version or newer",
			schema, m.LecternVersion, ErrNewer, store.LatestSchema())
	}
	signer, err := certify.LoadKey("", filepath.Join(dir, KeyName))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if signer.KeyID != m.KeyID {
		return fmt.Errorf("%w: signing key %s, the manifest says %s", ErrDamaged, signer.KeyID, m.KeyID)
	}
	var sk *secrets.Key
	if m.SecretsKeyID != "" {
		if sk, err = secrets.Load(filepath.Join(dir, SecretsName)); err != nil {
			return fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		if sk.ID != m.SecretsKeyID {
			return fmt.Errorf("%w: secrets key %s, the manifest says %s", ErrDamaged, sk.ID, m.SecretsKeyID)
		}
	}
	// The restored database must not sit beside a key its second factors do
	// not open with (nor without the key they need).
	if err := checkSealed(ctx, filepath.Join(dir, DatabaseName), sk); err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return nil
}

// moveAside moves the files a restore replaces into a new pre-restore-TIME
// folder of dir and returns it.
func moveAside(dir string) (string, error) {
	aside, err := os.MkdirTemp(dir, "pre-restore-"+time.Now().UTC().Format("20060102T150405Z")+"-")
	if err != nil {
		return "", fmt.Errorf("folder for the replaced files: %w", err)
	}
	for _, name := range movable {
		err := os.Rename(filepath.Join(dir, name), filepath.Join(aside, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("move the old %s aside: %w", name, err)
		}
	}
	return aside, nil
}
