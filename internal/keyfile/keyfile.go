// Package keyfile writes a data directory's key files once: whole, synced and
// mode 0600, even when several processes start at the same moment.
package keyfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Create writes data to path unless a file is there already; created says
// whether this call wrote it. Two processes starting at once must agree on one
// key, and neither may read the other's file half written: the data is written
// and synced under a temporary name, then linked to path, which fails if path
// exists (like O_EXCL, but the file appears whole). The loser reads the
// winner's file.
func Create(path string, data []byte) (created bool, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		// Synced: a key lost in a crash after it was used loses what it signed or sealed.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
