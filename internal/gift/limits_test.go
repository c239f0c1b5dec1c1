package gift

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestParse_Limits: a file over MaxSize is one problem, and the worst shapes of
// input (one huge question, many tiny ones, long runs of special characters)
// parse in time linear in their size: a few MB within seconds, not hours.
func TestParse_Limits(t *testing.T) {
	t.Run("TooLarge", func(t *testing.T) {
		qs, problems := Parse("big.gift", strings.NewReader(strings.Repeat("Q{T}\n\n", MaxSize/6+1)))
		if len(qs) != 0 || len(problems) != 1 || problems[0].Line != 1 || !strings.Contains(problems[0].Message, "larger than 10 MB") {
			t.Fatalf("got %d questions, problems %v", len(qs), problems)
		}
	})
	const size = 2 << 20
	shapes := map[string]string{
		"one question of answers": "Q{" + strings.Repeat("~a#b ", size/5) + "=c}",
		"one set of tildes":       "Q{" + strings.Repeat("~", size) + "}",
		"many questions":          strings.Repeat("::t::Q{=a ~b}\n\n", size/15),
		"many lines in one":       strings.Repeat("Q\n", size/2),
		"open braces":             strings.Repeat("{", size),
		"close braces":            strings.Repeat("}", size),
		"colons":                  strings.Repeat(":", size),
		"backslashes":             strings.Repeat(`\`, size),
		"escapes":                 strings.Repeat(`\{\n`, size/4),
		"hashes":                  "Q{" + strings.Repeat("#", size) + "}",
		"numbers":                 "Q{#" + strings.Repeat("=1..2#", size/6) + "}",
		"weights":                 "Q{" + strings.Repeat("~%1", size/3) + "}",
		"format tags":             "Q{" + strings.Repeat("~[html", size/6) + "}",
		"comments":                strings.Repeat("// [id:a\n", size/9) + "Q{T}",
		"problems":                strings.Repeat("Q{~}\n", size/5),
	}
	for name, input := range shapes {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, problems := Parse("shape.gift", strings.NewReader(input))
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("%d bytes took %v (%d problems)", len(input), d, len(problems))
			}
			lines := strings.Count(input, "\n") + 1
			for _, p := range problems {
				if p.Line < 1 || p.Line > lines {
					t.Fatalf("problem on line %d of %d: %s", p.Line, lines, p.Message)
				}
			}
		})
	}
}

// TestParse_ReadError: a reader that fails is one problem, not a panic.
func TestParse_ReadError(t *testing.T) {
	_, problems := Parse("broken.gift", failingReader{})
	if len(problems) != 1 || problems[0].Line != 1 || !strings.Contains(problems[0].Message, "could not be read") {
		t.Fatalf("problems %v", problems)
	}
	var buf bytes.Buffer
	if err := Write(&buf, nil); err != nil || buf.Len() != 0 {
		t.Fatalf("Write of no questions: %v %q", err, buf.String())
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errFailing }

var errFailing = bytesError("disk gone")

type bytesError string

func (e bytesError) Error() string { return string(e) }

// TestParse_StopsAfterMaxProblems: a file of nothing but errors reports the
// first MaxProblems and where reading stopped, not millions of lines.
func TestParse_StopsAfterMaxProblems(t *testing.T) {
	input := strings.Repeat("Q{~}\n\n", MaxProblems+500) + "Last{T}\n"
	qs, problems := Parse("errors.gift", strings.NewReader(input))
	if len(problems) != MaxProblems+1 || len(qs) != 0 {
		t.Fatalf("%d problems, %d questions", len(problems), len(qs))
	}
	last := problems[MaxProblems]
	// Each "Q{~}" is two problems (an empty answer, fewer than two answers), so
	// the one past the limit is in question MaxProblems/2+1.
	if last.Line != MaxProblems+1 || !strings.Contains(last.Message, "stopped") {
		t.Fatalf("last problem %+v", last)
	}
}
