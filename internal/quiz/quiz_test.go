package quiz

import (
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lectern-platform/lectern/internal/course"
)

func strp(s string) *string   { return &s }
func nump(f float64) *float64 { return &f }

func TestScore(t *testing.T) {
	single := Question{Kind: course.KindSingle, Points: 2, Choices: []Choice{{ID: "a"}, {ID: "b", Correct: true}, {ID: "c"}}}
	multi := Question{Kind: course.KindMultiple, Points: 3, Choices: []Choice{{ID: "a", Correct: true}, {ID: "b", Correct: true}, {ID: "c", Correct: true}, {ID: "d"}, {ID: "e"}}}
	short := Question{Kind: course.KindShort, Points: 1, Accepted: []string{"proof of work", "PoW", "Hà Nội"}}
	numeric := Question{Kind: course.KindNumeric, Points: 1, Number: 0.001, Tolerance: 0.0001}
	exact := Question{Kind: course.KindNumeric, Points: 1, Number: 21000000}
	tests := []struct {
		name string
		q    Question
		a    Answer
		want float64
	}{
		{"single right", single, Answer{Choices: []string{"b"}}, 2},
		{"single wrong", single, Answer{Choices: []string{"a"}}, 0},
		{"single two picked", single, Answer{Choices: []string{"a", "b"}}, 0},
		{"single empty", single, Answer{}, 0},
		{"single unknown id", single, Answer{Choices: []string{"zzz"}}, 0},
		{"multi all right", multi, Answer{Choices: []string{"a", "b", "c"}}, 3},
		{"multi two of three", multi, Answer{Choices: []string{"a", "b"}}, 2},
		{"multi two right one wrong", multi, Answer{Choices: []string{"a", "b", "d"}}, 1},
		{"multi floor at zero", multi, Answer{Choices: []string{"a", "d", "e"}}, 0},
		{"multi everything", multi, Answer{Choices: []string{"a", "b", "c", "d", "e"}}, 1},
		{"multi duplicates count once", multi, Answer{Choices: []string{"a", "a", "a"}}, 1},
		{"multi empty", multi, Answer{}, 0},
		{"short exact", short, Answer{Text: strp("proof of work")}, 1},
		{"short case and spaces", short, Answer{Text: strp("  Proof   OF work ")}, 1},
		{"short NFKC full-width", short, Answer{Text: strp("ＰｏＷ")}, 1},
		{"short decomposed accents", short, Answer{Text: strp("Ha\u0300 Nô\u0323i")}, 1},
		{"short hyphen differs", short, Answer{Text: strp("proof-of-work")}, 0},
		{"short empty", short, Answer{Text: strp("   ")}, 0},
		{"short nil", short, Answer{}, 0},
		{"numeric inside", numeric, Answer{Number: nump(0.00105)}, 1},
		{"numeric edge", numeric, Answer{Number: nump(0.0011)}, 1},
		{"numeric outside", numeric, Answer{Number: nump(0.0012)}, 0},
		{"numeric exact big", exact, Answer{Number: nump(21000000)}, 1},
		{"numeric off by one", exact, Answer{Number: nump(21000001)}, 0},
		{"numeric NaN", exact, Answer{Number: nump(math.NaN())}, 0},
		{"numeric missing", exact, Answer{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Score(tt.q, tt.a); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Score = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTotal_PassMark(t *testing.T) {
	qs := []Question{
		{ID: "q1", Kind: course.KindSingle, Points: 1, Choices: []Choice{{ID: "a", Correct: true}, {ID: "b"}}},
		{ID: "q2", Kind: course.KindMultiple, Points: 2, Choices: []Choice{{ID: "a", Correct: true}, {ID: "b", Correct: true}, {ID: "c", Correct: true}}},
	}
	r := Total(qs, map[string]Answer{"q1": {Choices: []string{"a"}}, "q2": {Choices: []string{"a"}}}, 55)
	if r.Score != 1.67 || r.MaxScore != 3 || r.Percent != 55.56 || !r.Passed {
		t.Errorf("result = %+v", r)
	}
	if r := Total(qs, nil, 1); r.Score != 0 || r.Passed {
		t.Errorf("no answers: %+v", r)
	}
}

func TestSnapshot_ShuffleIsStablePerSeed(t *testing.T) {
	q := &course.Quiz{Shuffle: true}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		q.Questions = append(q.Questions, &course.Question{ID: id, Kind: course.KindSingle, Points: 1,
			Choices: []course.Choice{{ID: id + "1", Correct: true}, {ID: id + "2"}, {ID: id + "3"}, {ID: id + "4"}}})
	}
	a, b, c := Snapshot(q, 42), Snapshot(q, 42), Snapshot(q, 43)
	order := func(s []Question) string {
		out := ""
		for _, x := range s {
			out += x.ID + x.Choices[0].ID
		}
		return out
	}
	if order(a) != order(b) {
		t.Errorf("same seed, different order")
	}
	if order(a) == order(c) {
		t.Errorf("different seeds gave the same order of 8 questions")
	}
	q.Shuffle = false
	if s := Snapshot(q, 42); s[0].ID != "a" || s[7].ID != "h" || s[0].Choices[0].ID != "a1" {
		t.Errorf("unshuffled quiz reordered")
	}
}

func TestAnalyse(t *testing.T) {
	qs := []Question{{ID: "easy", Points: 1}, {ID: "good", Points: 1}, {ID: "bad", Points: 1}, {ID: "x", Points: 1}, {ID: "y", Points: 1}}
	// Strong officers get "good" right, weak ones wrong; "bad" the reverse.
	attempts := []Scored{
		{"easy": 1, "good": 1, "bad": 0, "x": 1, "y": 1},
		{"easy": 1, "good": 1, "bad": 0, "x": 1, "y": 0.5},
		{"easy": 1, "good": 0, "bad": 1, "x": 0, "y": 0},
		{"easy": 1, "good": 0, "bad": 1, "x": 0.5, "y": 0},
	}
	stats := Analyse(qs, attempts)
	by := map[string]ItemStats{}
	for _, s := range stats {
		by[s.ID] = s
	}
	if by["easy"].Facility != 1 || by["easy"].Discrimination != 0 {
		t.Errorf("easy = %+v", by["easy"])
	}
	if by["good"].Facility != 0.5 || by["good"].Discrimination <= 0.5 {
		t.Errorf("good = %+v", by["good"])
	}
	if by["bad"].Discrimination >= -0.5 {
		t.Errorf("bad = %+v", by["bad"])
	}
	if s := Analyse(qs, nil); len(s) != 5 || s[0].Facility != 0 {
		t.Errorf("no attempts: %+v", s)
	}
}

// TestSnapshot_TranslationSameOrder: an attempt in a translation, started with
// the same seed, shows the same questions and choices in the same order, with
// the same ids and key, in its own words; a rekey keeps its words.
func TestSnapshot_TranslationSameOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"c/course.md":       {Data: []byte("---\ntitle: C\nsummary: S\n---\n")},
		"c/01-m.md":         {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
		"c/01-m.quiz.md":    {Data: []byte("---\ntitle: Q\n---\n\n## One {#one}\n\n- [ ] a\n- [x] b\n- [ ] c\n- [ ] d\n\n## Two {#two}\n\n- [x] e\n- [x] f\n- [ ] g\n\n## Three {#three}\n\n= foo\n\n> Because.\n\n## Four {#four}\n\n- [x] h\n- [ ] i\n")},
		"c/01-m.quiz.es.md": {Data: []byte("---\ntitle: Q\n---\n\n## Cuatro {#four}\n\n- [x] hh\n- [ ] ii\n\n## Uno {#one}\n\n- [ ] aa\n- [x] bb\n- [ ] cc\n- [ ] dd\n\n## Dos {#two}\n\n- [x] ee\n- [x] ff\n- [ ] gg\n\n## Tres {#three}\n\n= fu\n\n> Porque.\n")},
	}
	c, probs := course.Load(fsys, "c", "c")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	src := c.Modules[0].Quiz
	es := src.In("es")
	if es == src {
		t.Fatal("no Spanish quiz")
	}
	for seed := uint64(0); seed < 50; seed++ {
		en, sp := Snapshot(src, seed), Snapshot(es, seed)
		for i := range en {
			if en[i].ID != sp[i].ID || len(en[i].Choices) != len(sp[i].Choices) {
				t.Fatalf("seed %d: question %d is %s in English, %s in Spanish", seed, i, en[i].ID, sp[i].ID)
			}
			for j := range en[i].Choices {
				e, s := en[i].Choices[j], sp[i].Choices[j]
				if e.ID != s.ID || e.Correct != s.Correct || "<p>"+strings.Repeat(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(string(e.HTML)), "<p>"), "</p>"), 2)+"</p>" != strings.TrimSpace(string(s.HTML)) {
					t.Fatalf("seed %d: question %s choice %d differs: %+v vs %+v", seed, en[i].ID, j, e, s)
				}
			}
		}
		if seed == 7 {
			rekeyed := Rekey(sp, es)
			for i := range sp {
				if rekeyed[i].PromptHTML != sp[i].PromptHTML || rekeyed[i].Explanation != sp[i].Explanation {
					t.Errorf("rekey changed the words of %s", sp[i].ID)
				}
			}
		}
	}
	three := Snapshot(es, 1)
	for _, q := range three {
		if q.ID == "three" {
			for _, given := range []string{"fu", "foo", "FOO "} {
				if Score(q, Answer{Text: strp(given)}) != 1 {
					t.Errorf("%q is refused in a Spanish attempt", given)
				}
			}
			if !strings.Contains(string(q.Explanation), "Porque") || !strings.Contains(string(q.PromptHTML), "Tres") {
				t.Errorf("Spanish words missing: %+v", q)
			}
		}
	}
}
