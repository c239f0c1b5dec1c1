package giftconv

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/gift"
)

// importOne converts a GIFT text into one quiz and loads it as a course
// would: it fails the test on malformed GIFT or on a quiz lint refuses.
func importOne(t *testing.T, src string) (*course.Quiz, string, []Problem) {
	t.Helper()
	qs, malformed := gift.Parse("t.gift", strings.NewReader(src))
	if len(malformed) > 0 {
		t.Fatalf("malformed GIFT: %+v", malformed)
	}
	files, unsupported, err := Import(qs, ImportOptions{Module: "01-test", True: "True", False: "False", Comments: LecternComments([]byte(src))})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		return nil, "", unsupported
	}
	return quizOf(t, string(files[0].Data)), string(files[0].Data), unsupported
}

func TestImport_Kinds(t *testing.T) {
	t.Run("SingleWithEquals", func(t *testing.T) {
		q, _, _ := importOne(t, "Which one?{=Right#Yes. ~Wrong#No. ~Other ####Because.}")
		x := q.Questions[0]
		if x.Kind != course.KindSingle || len(x.Choices) != 3 || !x.Choices[0].Correct || x.Choices[1].Correct {
			t.Fatalf("question = %+v", x)
		}
		if x.Explanation != "Because.\n\n- Right — Yes.\n- Wrong — No." {
			t.Errorf("explanation = %q", x.Explanation)
		}
	})
	t.Run("SingleWithOneHundredPercent", func(t *testing.T) {
		// Moodle's multiple response with one right choice: a single choice
		// when any wrong tick beside it also scores 0 in Moodle.
		q, _, _ := importOne(t, "Which one?{~%-100%Wrong ~%100%Right ~%-100%Penalised}")
		if x := q.Questions[0]; x.Kind != course.KindSingle || len(x.Choices) != 3 || x.Choices[0].Correct || !x.Choices[1].Correct || x.Choices[2].Correct {
			t.Fatalf("question = %+v", x)
		}
	})
	t.Run("MultipleResponseWithFittingWeights", func(t *testing.T) {
		q, _, _ := importOne(t, "Which?{~%33.33333%A ~%33.33333%B ~%33.33333%C ~%-33.33333%D}")
		x := q.Questions[0]
		if x.Kind != course.KindMultiple || !x.Choices[2].Correct || x.Choices[3].Correct {
			t.Fatalf("question = %+v", x)
		}
	})
	t.Run("TrueFalse", func(t *testing.T) {
		q, _, _ := importOne(t, "Bitcoin is anonymous.{F#It is public.#Right.}")
		x := q.Questions[0]
		if x.Kind != course.KindSingle || x.Choices[0].Text != "True" || x.Choices[0].Correct || !x.Choices[1].Correct {
			t.Fatalf("question = %+v", x)
		}
		if x.Explanation != "- True — It is public.\n- False — Right." {
			t.Errorf("explanation = %q", x.Explanation)
		}
	})
	t.Run("ShortAnswer", func(t *testing.T) {
		q, _, _ := importOne(t, "Stage?{=layering =the layering stage =%0%placement#No.}")
		x := q.Questions[0]
		if x.Kind != course.KindShort || strings.Join(x.Answers, "|") != "layering|the layering stage" {
			t.Fatalf("question = %+v", x)
		}
		if x.Explanation != "- placement — No." {
			t.Errorf("explanation = %q", x.Explanation)
		}
	})
	t.Run("ShortWildcardFeedbackLast", func(t *testing.T) {
		// Moodle's usual feedback for any other answer: after the accepted
		// ones it only ever gives 0, as Lectern does.
		q, _, _ := importOne(t, "Capital?{=Paris =%0%Lyon#No. =%0%Par*#Close. =%0%*#Only Paris. ####France.}")
		x := q.Questions[0]
		if x.Kind != course.KindShort || strings.Join(x.Answers, "|") != "Paris" {
			t.Fatalf("question = %+v", x)
		}
		if want := "France.\n\nOnly Paris.\n\n- Lyon — No.\n- Par\\* — Close."; x.Explanation != want {
			t.Errorf("explanation = %q\nwant          %q", x.Explanation, want)
		}
	})
	t.Run("ShortZeroAfterSameAnswer", func(t *testing.T) {
		// Moodle never reaches the 0 % answer: "Paris" matches "paris" first.
		q, _, _ := importOne(t, "Capital?{=paris =%0%Paris#Never shown in Moodle.}")
		if x := q.Questions[0]; x.Kind != course.KindShort || strings.Join(x.Answers, "|") != "paris" {
			t.Fatalf("question = %+v", x)
		}
	})
	for _, c := range []struct {
		name, src string
		num, tol  float64
	}{
		{"NumericZeroAfterRight", "How many? Write it in digits.{#=5:0 =%0%5:2#Close.}", 5, 0},
		{"NumericZeroApart", "How many? Write it in digits.{#=%0%1:1#Too few. =5:1}", 5, 1},
		{"NumericExact", "How many? Write it in digits.{#2048}", 2048, 0},
		{"NumericTolerance", "How many? Write it in digits.{#10:2}", 10, 2},
		{"NumericRange", "How many? Write it in digits.{#8..12}", 10, 2},
		{"NumericRangeDecimals", "How much? Write it in digits.{#0.1..0.3}", 0.2, 0.1},
		{"NumericEqualAnswers", "How many? Write it in digits.{#=6:0 =%100%6:0 ~#Six.}", 6, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, _, _ := importOne(t, c.src)
			if x := q.Questions[0]; x.Kind != course.KindNumeric || x.Number != c.num || x.Tolerance != c.tol {
				t.Fatalf("question = %+v", x)
			}
		})
	}
	t.Run("IDPointsDroppedTitle", func(t *testing.T) {
		q, md, _ := importOne(t, "// [id:my-id]\n// [lectern:points=3,dropped]\n::Named::First?{=a ~b}\n\n::Layering stage::Second?{=a ~b}\n\n"+
			"// [lectern:points=4]\n\nThird?{\n=a\n// [lectern:points=5]\n~b\n}\n\nThird?{=a ~b}\n")
		var got []string
		for _, x := range q.Questions {
			got = append(got, x.ID)
		}
		if strings.Join(got, " ") != "my-id layering-stage third third-2" {
			t.Errorf("ids = %v\n%s", got, md)
		}
		var points []int
		for _, x := range q.Questions {
			points = append(points, x.Points)
		}
		// A comments-only block goes to the next question; one among the
		// answers to its own question (the last points= wins).
		if !q.Questions[0].Dropped || q.Questions[1].Dropped || !slices.Equal(points, []int{3, 1, 5, 1}) {
			t.Errorf("points = %v, dropped %v %v", points, q.Questions[0].Dropped, q.Questions[1].Dropped)
		}
	})
	t.Run("Formats", func(t *testing.T) {
		q, md, _ := importOne(t, "[plain]Use *stars* and <b>tags</b> as written:\n- not a list{=a ~b}\n\n"+
			"[markdown]Is **this** bold?\\n\\n= not an answer\\n> not an explanation{=a ~b}\n\n"+
			"[html]<p>Is <em>this</em> <a href\\=\"https\\://fatf-gafi.org\">FATF</a>?</p><ul><li>one</li><li>two</li></ul>{=a ~b}\n")
		if got := q.Questions[0].Prompt; got != `Use \*stars\* and \<b\>tags\</b\> as written:`+"\n\n"+`\- not a list` {
			t.Errorf("plain prompt = %q", got)
		}
		if got := q.Questions[1].Prompt; got != "Is **this** bold?\n\n\\= not an answer\n\\> not an explanation" {
			t.Errorf("markdown prompt = %q\n%s", got, md)
		}
		if got := q.Questions[2].Prompt; got != "Is *this* [FATF](https://fatf-gafi.org)?\n\n- one\n- two" {
			t.Errorf("html prompt = %q", got)
		}
		if strings.Contains(string(q.Questions[0].PromptHTML), "<b>") {
			t.Errorf("plain text's tag reached the page: %s", q.Questions[0].PromptHTML)
		}
	})
	t.Run("HeadingThatLooksLikeAttributes", func(t *testing.T) {
		q, md, _ := importOne(t, "Which set is \\{a, b\\}{=a ~b}\n\nWhich language is C#{=C-sharp ~C}\n")
		if !strings.Contains(string(q.Questions[0].PromptHTML), "{a, b}") || !strings.Contains(string(q.Questions[1].PromptHTML), "C#") {
			t.Errorf("headings lost their ends: %s / %s\n%s", q.Questions[0].PromptHTML, q.Questions[1].PromptHTML, md)
		}
	})
}

// TestImport_Refusals: each construct Lectern cannot represent is refused,
// on the line of the answer at fault when there is one, and the others of
// the file are still converted.
func TestImport_Refusals(t *testing.T) {
	for _, c := range []struct {
		name, src string
		line      int
		want      string
	}{
		{"Matching", "Match.{=a -> b =c -> d =e -> f}", 1, "matching question"},
		{"Essay", "Describe.{}", 1, "essay question"},
		{"Description", "Just text.", 1, "description"},
		{"MissingWord", "The {=right ~wrong} word.", 1, "missing-word"},
		{"WrongWeighsNothing", "Which?{\n~%50%A\n~%50%B\n~C\n}", 4, `choice "C" weighs 0%`},
		{"RightWeighsTooLittle", "Which?{\n~%50%A\n~%25%B\n~%-50%C\n}", 3, "each right one must weigh 50%"},
		{"PartialInSingle", "Which?{\n=A\n~%50%B\n}", 3, "all the points for the right choice"},
		{"TwoEquals", "Which?{\n=A\n=B\n~C\n}", 1, "2 right answers"},
		{"OnlyRightTooLight", "Which?{\n~%90%A\n~B\n}", 2, "must weigh 100%"},
		{"OneRightAmongUnweighted", "Which?{\n~%100%A\n~B\n~C\n}", 3, `choice "B" weighs 0%: with no = this is a Moodle multiple-response question, where ticking it beside the right choice still earns 100%`},
		{"OneRightAmongPenalised", "Which?{\n~%-100%A\n~%100%B\n~%-50%C\n}", 4, `choice "C" weighs -50%: with no = this is a Moodle multiple-response question, where ticking it beside the right choice still earns 50%`},
		{"NumericPartial", "N?{#\n=3000:0\n=%50%1000:0\n}", 3, "earns 50%"},
		{"NumericTwo", "N?{#\n=2019:0\n=2021:0\n}", 3, "several numeric answers"},
		{"ShortPartial", "S?{\n=full\n=%50%half\n}", 3, "earns 50%"},
		{"ShortWildcard", "S?{=Mon*}", 1, "wildcard"},
		{"ShortWildcardBeforeAccepted", "S?{\n=%0%*#No.\n=Paris\n}", 2, `answer "*" has a * and comes before an accepted answer`},
		{"ShortZeroBeforeSameAnswer", "S?{\n=%0%Paris#No.\n=paris\n}", 2, `answer "Paris" earns 0% but reads the same as the accepted answer "paris"`},
		{"ShortZeroSpacedLikeAnswer", "S?{\n=New York\n=%0%New  York\n}", 3, `answer "New  York" earns 0% but reads the same as the accepted answer "New York"`},
		{"NumericZeroBeforeRight", "N?{#\n=%0%5:2#Close.\n=5:0\n}", 2, "numeric answer 5 ± 2 earns 0% and comes before the right answer 5 ± 0"},
		{"NumericZeroRangeTouchesRight", "N?{#\n=%0%1..3\n=5:2\n}", 2, "comes before the right answer 5 ± 2"},
		{"Script", "[html]<p>Hi</p><script>alert(1)</script>{=a ~b}", 1, "<script>"},
		{"EventHandler", "[html]<p onmouseover\\=\"x()\">Hi</p>{=a ~b}", 1, "onmouseover"},
		{"ScriptLink", "[html]<a href\\=\"javascript\\:x()\">Hi</a>{=a ~b}", 1, "javascript"},
		{"Image", "[html]<p>Hi <img src\\=\"https\\://evil.example/x.png\"></p>{=a ~b}", 1, "<img>"},
		{"MarkdownImage", "[markdown]Which wallet? ![w](https\\://evil.example/w.png){=a ~b}", 1, "Markdown image"},
		{"MarkdownRelativeLink", "[markdown]Q?{\n=a\n~see [notes](notes.pdf)\n}", 3, "Markdown link to notes.pdf"},
		{"HTMLInAnswer", "[html]Which?{\n=<b>a</b>\n~<img src\\=\"x\">\n}", 3, "<img>"},
		{"BadPoints", "// [lectern:points=0]\n// [lectern:points=2]\nQ?{=a ~b}", 1, "bad points"},
		{"UnknownAttribute", "Q?{\n=a\n// [lectern:weight=2]\n~b\n}", 3, "unknown Lectern attribute"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.src + "\n\nStill here?{=yes ~no}\n"
			q, _, unsupported := importOne(t, src)
			if len(unsupported) != 1 || unsupported[0].Line != c.line || !strings.Contains(unsupported[0].Message, c.want) {
				t.Fatalf("unsupported = %+v, want one on line %d with %q", unsupported, c.line, c.want)
			}
			if q == nil || len(q.Questions) != 1 || q.Questions[0].Prompt != "Still here?" {
				t.Errorf("the other question was not kept: %+v", q)
			}
		})
	}
}

func TestImport_Categories(t *testing.T) {
	src := "$CATEGORY: $course$/top/AML basics\n\nA?{=a ~b}\n\n$CATEGORY: $course$/top/Dérivés & co\n\nB?{=a ~b}\n\n" +
		"$CATEGORY: $course$/top/Tracing\n\nC?{=a ~b}\n\n$CATEGORY: crypto-crime/04-aml\n\nD?{=a ~b}\n\n$CATEGORY: other/AML basics\n\nE?{=a ~b}\n"
	qs, malformed := gift.Parse("t.gift", strings.NewReader(src))
	if len(malformed) > 0 {
		t.Fatal(malformed)
	}
	files, _, err := Import(qs, ImportOptions{True: "T", False: "F", Existing: map[string]string{"02-tracing": "Tracing and investigation", "03-legal": "Legal"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Module+"="+f.Title+"/"+string(rune('0'+strings.Count(string(f.Data), "\n## "))))
	}
	want := "04-aml-basics=AML basics/2 05-derives-co=Dérivés & co/1 02-tracing=Tracing and investigation/1 04-aml=Aml/1"
	if strings.Join(got, " ") != want {
		t.Errorf("modules = %v\nwant      %s", got, want)
	}
}

func TestHTMLToMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<p dir="ltr" style="text-align: left;">Plain <strong>bold</strong> and <i>italic</i>.</p>`, "Plain **bold** and *italic*."},
		{`<p>One<br>Two</p>`, "One\n\nTwo"},
		{`<p>Use <code>a*b</code></p><pre>x := 1
y := 2</pre>`, "Use `a*b`\n\n    x := 1\n    y := 2"},
		{`<ol><li>first</li><li>second</li></ol>`, "1. first\n2. second"},
		{`<h3>Heading</h3><p>1. not a list &amp; [not] a link</p>`, "**Heading**\n\n1\\. not a list \\& \\[not\\] a link"},
		{`<p><span lang="fr">Vérifié</span> <u>souligné</u></p>`, "Vérifié souligné"},
		{`<a href="mailto:x@example.org">write</a>`, "[write](mailto:x@example.org)"},
	} {
		got, refused := htmlToMarkdown(c.in)
		if got != c.want || len(refused) > 0 {
			t.Errorf("htmlToMarkdown(%q) = %q %v, want %q", c.in, got, refused, c.want)
		}
	}
	for _, in := range []string{`<style>p{}</style>`, `<object data="x"></object>`, `<form><input></form>`, `<svg onload="x()"></svg>`,
		`<a href="data:text/html,x">x</a>`, `<a href="/relative">x</a>`, `<p style="x" onclick="y">z</p>`, `<table></table>`, `<sup>2</sup>`} {
		if got, refused := htmlToMarkdown(in); len(refused) == 0 {
			t.Errorf("htmlToMarkdown(%q) = %q, not refused", in, got)
		}
	}
}

// FuzzImport: whatever GIFT parses, what Import writes loads without a lint
// problem (escaping keeps prompts, choices and explanations in their place)
// and holds as many questions as Import kept.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"../../cmd/lectern/testdata/gift/aml-bank.gift", "../gift/testdata/constructs.gift"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("## Heading?{=- [x] a ~> b}\n\n[markdown]Q\\n## not a question\\n- [ ] no\\n```\\n= code\\n```{=a ~b ####> quote\\n## h}")
	f.Add("[html]<p>1. x</p><ol><li>a</li></ol><pre>```</pre>{=`a` ~b}")
	f.Fuzz(func(t *testing.T, src string) {
		qs, malformed := gift.Parse("f.gift", strings.NewReader(src))
		if len(malformed) > 0 {
			return
		}
		files, _, err := Import(qs, ImportOptions{True: "True", False: "False", Comments: LecternComments([]byte(src))})
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			c, probs := course.FromFiles("c", map[string][]byte{
				"course.md":              []byte("---\ntitle: C\nsummary: S\n---\n\nText.\n"),
				file.Module + ".md":      []byte("---\ntitle: T\nduration: 30m\n---\n\nText.\n"),
				file.Module + ".quiz.md": file.Data,
			})
			if len(probs) > 0 {
				t.Fatalf("imported quiz fails lint:\n%s\n%s", probs, file.Data)
			}
			if got, want := len(c.Modules[0].Quiz.Questions), strings.Count(string(file.Data), "\n## "); got != want {
				t.Fatalf("%d questions load, %d written:\n%s", got, want, file.Data)
			}
		}
	})
}
