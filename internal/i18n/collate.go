package i18n

import (
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Compare returns a comparison of two strings in the order a reader of lang
// expects them in a list (Unicode collation with that language's tailoring:
// "Émile" beside "Emma" in French, Swedish "Ö" after "Z"), for sorting people
// by name. The function holds one collator, which is not safe for concurrent
// use: take one per sort. An unknown lang sorts by the root collation.
func Compare(lang string) func(a, b string) int {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.Und
	}
	c := collate.New(tag)
	return c.CompareString
}
