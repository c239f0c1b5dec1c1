package giftconv

import "math"

// moodleGrades are the grades, in percent, that Moodle's question bank
// offers (question_bank::fraction_options_full, the negatives too): p/q for
// q ≤ 6, tenths, 1/q for q ≤ 10, and 1/20. Moodle's importer matches every
// answer's weight against this list ("Match grades: error if grade not
// listed", the import form's default) and, with "Stop on error" (also the
// default), refuses the whole file when one weight is not in it.
var moodleGrades = []float64{
	100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30,
	25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0,
}

// moodleGrade reports whether Moodle's importer accepts a weight (percent):
// it allows 1e-5 of a fraction, which is 1e-3 of a percent.
func moodleGrade(w float64) bool {
	for _, g := range moodleGrades {
		if math.Abs(math.Abs(w)-g) < 1e-3 {
			return true
		}
	}
	return false
}
