package i18n

import (
	"slices"
	"testing"
)

func TestCompare_PerLanguage(t *testing.T) {
	cases := []struct {
		lang string
		in   []string
		want []string
	}{
		// Byte order would put every accented or lower-case initial last.
		{"fr", []string{"Zoé Martin", "émile Durand", "Eric Blanc"}, []string{"émile Durand", "Eric Blanc", "Zoé Martin"}},
		// Swedish sorts Ö after Z; German beside O.
		{"sv", []string{"Östen", "Zacke", "Olle"}, []string{"Olle", "Zacke", "Östen"}},
		{"de", []string{"Östen", "Zacke", "Olle"}, []string{"Olle", "Östen", "Zacke"}},
		{"xx-not-a-tag!", []string{"b", "A"}, []string{"A", "b"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			got := slices.Clone(c.in)
			slices.SortFunc(got, Compare(c.lang))
			if !slices.Equal(got, c.want) {
				t.Errorf("sorted %q, want %q", got, c.want)
			}
		})
	}
}
