package paper

import (
	"html/template"
	"reflect"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

var testQuestions = []quiz.Question{
	{ID: "pick", Kind: course.KindSingle, Points: 1, PromptHTML: "<p>Pick</p>", Explanation: "<p>Why</p>",
		Choices: []quiz.Choice{{ID: "a", HTML: "<p>A</p>"}, {ID: "b", HTML: "<p>B</p>", Correct: true}}},
	{ID: "type", Kind: course.KindShort, Points: 2, PromptHTML: "<p>Type</p>", Accepted: []string{"word"}},
	{ID: "count", Kind: course.KindNumeric, Points: 1, PromptHTML: "<p>Count</p>", Number: 24, Tolerance: 0.5, Dropped: true},
}

func TestParagraphs(t *testing.T) {
	cases := []struct {
		name string
		in   template.HTML
		want []para
	}{
		{"inline markup prints as its text", "<p>Is <em>this</em> <strong>the</strong> <code>x &lt; 2</code> one?</p>\n",
			[]para{{text: "Is this the x < 2 one?"}}},
		{"paragraphs and a line break", "<p>First\nline<br>\nsecond</p><p>Third</p>",
			[]para{{text: "First line"}, {text: "second"}, {text: "Third"}}},
		{"lists, nested, numbered from start", "<ul><li>one</li><li><p>two</p><p>more</p><ol start=\"3\"><li>three</li><li>four</li></ol></li></ul>",
			[]para{{indent: 1, marker: "•", text: "one"}, {indent: 1, marker: "•", text: "two"}, {indent: 1, text: "more"},
				{indent: 2, marker: "3.", text: "three"}, {indent: 2, marker: "4.", text: "four"}}},
		{"a web link shows where it goes", `<p>See <a href="https://fatf-gafi.org/r16">R.16</a> and <a href="https://x.org">https://x.org</a> and <a href="02-tracing.md">module 2</a>.</p>`,
			[]para{{text: "See R.16 (https://fatf-gafi.org/r16) and https://x.org and module 2."}}},
		{"quote, table, image, code block", "<blockquote><p>quoted</p></blockquote><table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td><em>2</em></td></tr></tbody></table><p><img src=\"x.png\" alt=\"a chart\"></p><pre><code>line 1\n  line 2\n</code></pre>",
			[]para{{indent: 1, text: "quoted"}, {text: "A | B"}, {text: "1 | 2"}, {text: "[a chart]"}, {text: "line 1"}, {text: "  line 2"}}},
		{"task list boxes are not text", `<ul><li><input checked="" disabled="" type="checkbox"> done</li></ul>`,
			[]para{{indent: 1, marker: "•", text: "done"}}},
		{"nothing", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := paragraphs(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("paragraphs(%q)\n got %#v\nwant %#v", c.in, got, c.want)
			}
		})
	}
}

// The officers' sheet is drawn from copies of the questions without any key.
func TestWithoutKey(t *testing.T) {
	qs := withoutKey(testQuestions)
	for i, q := range qs {
		if q.Accepted != nil || q.Number != 0 || q.Tolerance != 0 || q.Explanation != "" {
			t.Errorf("question %d keeps a key: %+v", i, q)
		}
		for _, c := range q.Choices {
			if c.Correct {
				t.Errorf("question %d keeps a right choice: %+v", i, c)
			}
		}
		if q.ID != testQuestions[i].ID || q.PromptHTML != testQuestions[i].PromptHTML || q.Points != testQuestions[i].Points ||
			q.Dropped != testQuestions[i].Dropped || len(q.Choices) != len(testQuestions[i].Choices) {
			t.Errorf("question %d lost what is printed: %+v", i, q)
		}
	}
	if !testQuestions[0].Choices[1].Correct {
		t.Error("the caller's questions were changed")
	}
}
