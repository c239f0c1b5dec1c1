package paper

import (
	"testing"

	"github.com/lectern-platform/lectern/internal/i18n"
)

// in is the embedded catalogues' localizer for lang.
func in(t testing.TB, lang string) *i18n.Localizer {
	t.Helper()
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(cat.Match(lang))
}

func english(t testing.TB) *i18n.Localizer { return in(t, "en") }
