package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestKey_SealOpen(t *testing.T) {
	k, _, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	const plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	sealed, err := k.Seal(plain, "totp:7")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || strings.Contains(sealed, plain) {
		t.Fatalf("sealed value %q", sealed)
	}
	if again, _ := k.Seal(plain, "totp:7"); again == sealed {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if got, err := k.Open(sealed, "totp:7"); err != nil || got != plain {
		t.Fatalf("open: %q, %v", got, err)
	}
	t.Run("other context", func(t *testing.T) {
		if _, err := k.Open(sealed, "totp:8"); !errors.Is(err, ErrOpen) {
			t.Errorf("opened under another user's context: %v", err)
		}
	})
	t.Run("other key", func(t *testing.T) {
		other, _, _ := Generate()
		if _, err := other.Open(sealed, "totp:7"); !errors.Is(err, ErrOpen) {
			t.Errorf("opened with another key: %v", err)
		}
	})
	t.Run("altered", func(t *testing.T) {
		b := []byte(sealed)
		b[len(b)-5] ^= 1
		for _, v := range []string{string(b), sealed[:len(sealed)-8], "v1:", "v1:!!", plain, ""} {
			if _, err := k.Open(v, "totp:7"); !errors.Is(err, ErrOpen) {
				t.Errorf("opened %q: %v", v, err)
			}
		}
	})
}

// TestLoadOrCreate: processes starting together agree on one key, and none
// reads another's half-written file.
func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	keys := make([]*Key, 8)
	created := make([]bool, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if keys[i], created[i], err = LoadOrCreate(dir); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	for i, k := range keys {
		if k == nil || k.ID != keys[0].ID {
			t.Fatalf("processes starting together disagree on the key")
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d created the key, want 1", n)
	}
	if list, _ := os.ReadDir(dir); len(list) != 1 {
		t.Errorf("the data directory holds %d files, want the key alone", len(list))
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 || st.Size() != KeySize {
		t.Fatalf("key file: %v %v", st, err)
	}
	sealed, _ := keys[0].Seal("x", "c")
	again, created2, err := LoadOrCreate(dir)
	if err != nil || created2 {
		t.Fatalf("second start: %v, created %v", err, created2)
	}
	if got, err := again.Open(sealed, "c"); err != nil || got != "x" {
		t.Errorf("the reloaded key does not open: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFileName), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(dir); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("a damaged key file: %v", err)
	}
}
