package quiz

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
)

// fuzzQuestions has one question of each kind, with their exact right answers.
var fuzzQuestions = []struct {
	q     Question
	right Answer
}{
	{Question{ID: "single", Kind: course.KindSingle, Points: 2, Choices: []Choice{{ID: "a"}, {ID: "b", Correct: true}, {ID: "c"}}},
		Answer{Choices: []string{"b"}}},
	{Question{ID: "multiple", Kind: course.KindMultiple, Points: 3, Choices: []Choice{{ID: "a", Correct: true}, {ID: "b", Correct: true}, {ID: "c", Correct: true}, {ID: "d"}, {ID: "e"}}},
		Answer{Choices: []string{"a", "b", "c"}}},
	{Question{ID: "short", Kind: course.KindShort, Points: 1, Accepted: []string{"proof of work", "PoW", "Hà Nội"}},
		Answer{Text: strp("proof of work")}},
	{Question{ID: "numeric", Kind: course.KindNumeric, Points: 5, Number: 0.001, Tolerance: 0.0001},
		Answer{Number: nump(0.001)}},
	{Question{ID: "exact", Kind: course.KindNumeric, Points: 1, Number: 21000000},
		Answer{Number: nump(21000000)}},
}

// FuzzScore scores a fuzzed answer (choices split on commas, text, number) against
// fixed questions, then against questions whose answer key is built from the same
// input, whose exact right answer must earn every point.
func FuzzScore(f *testing.F) {
	f.Add("b", "proof of work", 0.001, 0.0)
	f.Add("a,b,c", "  Proof   OF work ", 21000000.0, 0.5)
	f.Add("a,a,a,d", "ＰｏＷ", 0.0011, 1e-4)
	f.Add("a,b,c,d,e", "Ha\u0300 Nô\u0323i", -0.0, 0.0)
	f.Add("", "", math.NaN(), math.Inf(1))
	f.Add(",,", "   ", math.Inf(-1), math.NaN())
	f.Add("zzz,b", "\xff", 1e308, 1e308)
	f.Add("b,b", "\u00a0", -1e308, 5e-324)
	f.Fuzz(func(t *testing.T, choices, text string, number, tolerance float64) {
		var ids []string
		if choices != "" {
			ids = strings.Split(choices, ",")
		}
		given := Answer{Choices: ids, Text: &text, Number: &number}
		for _, x := range fuzzQuestions {
			checkScore(t, x.q, given)
			checkScore(t, x.q, Answer{Choices: ids})
			checkScore(t, x.q, Answer{Text: &text})
			checkScore(t, x.q, Answer{Number: &number})
			if s := Score(x.q, x.right); s != float64(x.q.Points) {
				t.Errorf("%s: the right answer scores %v, want %d", x.q.ID, s, x.q.Points)
			}
		}

		// Questions keyed by the input. The parser gives choices distinct ids,
		// short answers that normalise to something, and finite numbers.
		distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
		if len(distinct) >= 2 {
			single := Question{ID: "s", Kind: course.KindSingle, Points: 4}
			multi := Question{ID: "m", Kind: course.KindMultiple, Points: 7}
			var rightMulti []string
			for i, id := range distinct {
				single.Choices = append(single.Choices, Choice{ID: id, Correct: i == len(distinct)-1})
				multi.Choices = append(multi.Choices, Choice{ID: id, Correct: i%2 == 0})
				if i%2 == 0 {
					rightMulti = append(rightMulti, id)
				}
			}
			checkRight(t, single, Answer{Choices: []string{distinct[len(distinct)-1]}})
			checkRight(t, multi, Answer{Choices: rightMulti})
			checkScore(t, single, given)
			checkScore(t, multi, given)
			// Picking one more right choice never lowers a multiple-choice score.
			for _, id := range rightMulti {
				if slices.Contains(ids, id) {
					continue
				}
				more := append(slices.Clone(ids), id)
				if Score(multi, Answer{Choices: more}) < Score(multi, Answer{Choices: ids}) {
					t.Errorf("adding right choice %q to %q lowered the score", id, ids)
				}
			}
		}
		if course.NormalizeAnswer(text) != "" {
			short := Question{ID: "t", Kind: course.KindShort, Points: 2, Accepted: []string{text}}
			checkRight(t, short, Answer{Text: &text})
			spaced := "  " + strings.ToUpper(strings.Join(strings.Fields(text), "   ")) + "\t"
			if course.NormalizeAnswer(spaced) == course.NormalizeAnswer(text) {
				checkRight(t, short, Answer{Text: &spaced})
			}
		}
		if !math.IsNaN(number) && !math.IsInf(number, 0) && !math.IsNaN(tolerance) && !math.IsInf(tolerance, 0) {
			num := Question{ID: "n", Kind: course.KindNumeric, Points: 3, Number: number, Tolerance: math.Abs(tolerance)}
			checkRight(t, num, Answer{Number: &number})
			checkScore(t, num, given)
		}
	})
}

// checkScore asserts that any answer earns between nothing and every point.
func checkScore(t *testing.T, q Question, a Answer) {
	t.Helper()
	if s := Score(q, a); !(s >= 0 && s <= float64(q.Points)) {
		t.Errorf("%s question %q: Score(%+v) = %v, outside 0..%d", q.Kind, q.ID, a, s, q.Points)
	}
	r := Total([]Question{q}, map[string]Answer{q.ID: a}, 50)
	if !(r.Percent >= 0 && r.Percent <= 100) || r.MaxScore != float64(q.Points) || r.Passed != (r.Percent >= 50) {
		t.Errorf("%s question %q: Total = %+v", q.Kind, q.ID, r)
	}
}

// checkRight asserts that the exact right answer earns every point.
func checkRight(t *testing.T, q Question, a Answer) {
	t.Helper()
	if s := Score(q, a); s != float64(q.Points) {
		t.Errorf("%s question %+v: the right answer %+v scores %v, want %d", q.Kind, q, a, s, q.Points)
	}
	if r := Total([]Question{q}, map[string]Answer{q.ID: a}, 100); r.Percent != 100 || !r.Passed {
		t.Errorf("%s question %q: the right answer totals %+v", q.Kind, q.ID, r)
	}
}
