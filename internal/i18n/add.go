package i18n

import (
	"fmt"

	"golang.org/x/text/language"
)

// AddMessages parses one more catalogue file (go-i18n v2 JSON named
// AREA.LANG.json) into c, over what it already holds for that language, and
// lets Match pick its language: a translation not embedded in the binary, such
// as the made-up one a test checks localisation with.
func (c *Catalog) AddMessages(name string, data []byte) error {
	mf, err := c.bundle.ParseMessageFileBytes(data, name)
	if err != nil {
		return fmt.Errorf("parse catalogue %s: %w", name, err)
	}
	for _, t := range c.tags {
		if t == mf.Tag {
			return nil
		}
	}
	c.tags = append(c.tags, mf.Tag)
	c.matcher = language.NewMatcher(c.tags)
	return nil
}
