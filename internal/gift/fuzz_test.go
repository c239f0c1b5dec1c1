package gift

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// fuzzTimeLimit bounds one Parse of a fuzz input (a few KB): anything near it
// means a blow-up, not a slow machine.
const fuzzTimeLimit = 2 * time.Second

func addCorpusSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.gift"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{", "}", "::", "::a", "{#}", "{#..}", "{#1..}", "{~%", "{~%%a ~b}", "{=a->}", "$CATEGORY:",
		"\\", "a\\{b\\}{=c}", "[html]", "[html]{}", "Q{T#a#b#c}", "Q{=%100%a}", "Q{=a ~b} c {",
		"// [id:x]\nQ{}", "// [id:a\\]b]\nQ{}", "Q{#1:2 ~}", "Q{# =}", "Q{\n=a\n\n=b}",
	} {
		f.Add([]byte(s))
	}
}

// FuzzParse: Parse never panics nor hangs, every problem and every question has
// a line inside the input, and what it reads Write writes and Parse reads back
// the same.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		qs, problems := Parse("fuzz.gift", bytes.NewReader(data))
		if d := time.Since(start); d > fuzzTimeLimit {
			t.Fatalf("Parse of %d bytes took %v", len(data), d)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines {
				t.Errorf("problem %q on line %d of %d", p.Message, p.Line, lines)
			}
			if p.Message == "" {
				t.Errorf("problem on line %d has no message", p.Line)
			}
		}
		for _, q := range qs {
			if q.Line < 1 || q.Line > lines {
				t.Errorf("question on line %d of %d", q.Line, lines)
			}
			for _, a := range q.Answers {
				if a.Line < q.Line || a.Line > lines {
					t.Errorf("answer on line %d, question on %d, of %d lines", a.Line, q.Line, lines)
				}
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, qs); err != nil {
			t.Fatalf("Write refuses what Parse read: %v\ninput %q", err, data)
		}
		back, problems := Parse("written.gift", bytes.NewReader(buf.Bytes()))
		if len(problems) > 0 {
			t.Fatalf("Parse of Write's output has problems %v\ninput %q\nwritten %q", problems, data, buf.String())
		}
		if want, got := withoutLines(qs), withoutLines(back); !reflect.DeepEqual(want, got) {
			t.Fatalf("Parse(Write(Parse(x))) differs\ninput %q\nwritten %q\nwant %+v\ngot  %+v", data, buf.String(), want, got)
		}
	})
}

// FuzzWriteRoundTrip builds a question of each kind from arbitrary strings and
// numbers: Write either refuses it or writes what Parse reads back the same.
func FuzzWriteRoundTrip(f *testing.F) {
	f.Add(uint8(0), "Title", "Text?", "after", "a", "b", "feedback", "general", 50.0, 3.5, 0.5, uint8(0))
	f.Add(uint8(2), "", "[html]x", "", "%a", "->", "#", "####", -100.0, -1e300, 1e-300, uint8(255))
	f.Add(uint8(4), "a:b", "x\ny", "\\n", "a\\", "{}", "~=", "[moodle]", 33.333333333333336, math.MaxFloat64, 0.0, uint8(7))
	f.Fuzz(func(t *testing.T, kind uint8, title, text, after, a1, a2, feedback, general string, w, v, e float64, flags uint8) {
		kinds := []Kind{MultipleChoice, TrueFalse, ShortAnswer, Numerical, Matching, Essay, Description}
		formats := []Format{FormatNone, FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown}
		q := Question{
			Title: title, Text: text, Kind: kinds[int(kind)%len(kinds)],
			Format: formats[int(flags>>4)%len(formats)], GeneralFeedback: general,
		}
		if flags&1 != 0 && q.Kind != Description {
			q.Kind, q.Blank, q.TextAfter = MissingWord, q.Kind, after
		}
		if flags&2 != 0 {
			q.Category = a2
		}
		if flags&4 != 0 {
			q.ID = a1
		}
		var wp *float64
		if flags&8 != 0 {
			wp = &w
		}
		switch kind := q.Kind; {
		case kind == MissingWord:
			kind = q.Blank
			fallthrough
		default:
			switch kind {
			case MultipleChoice:
				q.Answers = []Answer{{Text: a1, Correct: true, Feedback: feedback}, {Text: a2, Weight: wp}}
			case ShortAnswer:
				q.Answers = []Answer{{Text: a1, Correct: true, Weight: wp}, {Text: a2, Correct: true, Feedback: feedback}}
			case Numerical:
				q.Answers = []Answer{{Correct: true, Value: v, Tolerance: e, Weight: wp, Feedback: a1},
					{Correct: true, Range: true, Min: v, Max: e}, {Feedback: feedback}}
			case Matching:
				q.Answers = []Answer{{Text: a1, Match: a2, Correct: true}, {Text: feedback, Match: a1, Correct: true}}
			case TrueFalse:
				q.Truth, q.WrongFeedback, q.RightFeedback = flags&8 != 0, a1, feedback
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, []Question{q}); err != nil {
			if buf.Len() != 0 {
				t.Fatalf("Write wrote %q and failed: %v", buf.String(), err)
			}
			return
		}
		back, problems := Parse("written.gift", bytes.NewReader(buf.Bytes()))
		if len(problems) > 0 {
			t.Fatalf("Parse of Write's output has problems %v\nquestion %+v\nwritten %q", problems, q, buf.String())
		}
		if want, got := withoutLines([]Question{q}), withoutLines(back); !reflect.DeepEqual(want, got) {
			t.Fatalf("Parse(Write(q)) differs\nwritten %q\nwant %+v\ngot  %+v", buf.String(), want, got)
		}
	})
}
