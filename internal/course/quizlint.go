package course

import "strings"

// numberFormatWords are, per course language, the word stems a numeric question's
// text must contain to say how the answer is written ("Write the number in
// digits."). An officer who types "six" or "21 million" is marked wrong although
// they knew the answer, so lint warns when none of them appears in the heading or
// the text under it. Matching is case-insensitive on stems, so "digit" also
// covers "digits" and "chiffre" covers "chiffres". A course language missing here
// is not checked.
var numberFormatWords = map[string][]string{
	"en": {"digit", "figure", "numeral", "decimal"},
	"fr": {"chiffre", "décimal", "virgule"},
	"de": {"ziffer", "dezimal"},
	"es": {"dígito", "cifra", "decimal"},
	"pt": {"algarismo", "dígito", "decimal"},
	"nl": {"cijfer", "decimaal"},
}

// checkNumberFormat warns when a numeric question does not tell officers how to
// write the number. It is a warning, not a problem: the quiz still loads.
//
// A quiz is checked in its file's language: the course's, or a translation's
// (MODULE.quiz.LANG.md) own.
func checkNumberFormat(q *Question, dc *docContext) {
	if q.Kind != KindNumeric || dc.course == nil {
		return
	}
	lang := strings.ToLower(dc.course.Language)
	if dc.lang != "" {
		lang = strings.ToLower(dc.lang)
	}
	if i := strings.IndexByte(lang, '-'); i > 0 {
		lang = lang[:i]
	}
	words, ok := numberFormatWords[lang]
	if !ok {
		return
	}
	text := strings.ToLower(q.Prompt)
	for _, w := range words {
		if strings.Contains(text, w) {
			return
		}
	}
	dc.course.Warnings.add(dc.path, q.Line, "numeric question does not say how to write the answer: add a line such as \"Write the number in digits.\" (officers who write it in words are marked wrong)")
}
