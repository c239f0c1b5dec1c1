package i18n

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// AddMessages parses one more catalogue file (go-i18n v2 JSON named
// AREA.LANG.json) into c, over what it already holds for that language: a
// translation not embedded in the binary, such as the made-up one a test checks
// localisation with. As in Load, a ui file makes its language one offered.
//
// It is not safe while the catalogue is in use: go-i18n's bundle, the offered
// tags and the matcher are read without a lock by every request, and a
// language's date formats are compiled once from what it holds at its first
// date (dates.go). Call it before serving, or, in a test, before the first
// request that localises anything.
func (c *Catalog) AddMessages(name string, data []byte) error {
	mf, err := c.bundle.ParseMessageFileBytes(data, name)
	if err != nil {
		return fmt.Errorf("parse catalogue %s: %w", name, err)
	}
	if !strings.HasPrefix(path.Base(name), "ui.") || slices.Contains(c.tags, mf.Tag) {
		return nil
	}
	c.tags = append(c.tags, mf.Tag)
	c.matcher = language.NewMatcher(c.tags)
	return nil
}
