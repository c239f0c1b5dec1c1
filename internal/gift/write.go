package gift

import (
	"errors"
	"io"
)

// Write writes questions as GIFT that Moodle's importer reads, and that Parse
// reads back as the same questions. A question GIFT cannot express as given is
// an error naming it, and nothing is written for it.
func Write(w io.Writer, qs []Question) error {
	return errors.New("gift: the writer is not finished yet")
}
