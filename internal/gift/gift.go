// Package gift reads and writes Moodle's GIFT question format, following the
// behaviour of Moodle's importer (question/format/gift/format.php) so that a file a
// trainer exported from Moodle reads here as it reads there, and a file written here
// imports into Moodle.
//
// It knows GIFT only: every question kind GIFT can express is parsed, including the
// ones Lectern cannot represent (matching, essay, description, missing word);
// deciding what becomes a Lectern quiz is the caller's job. Malformed GIFT is
// reported as Problems with the line they are on, all of them at once.
//
// Backslashes, as in Moodle (escapedchar_pre turns `\\` into one backslash before
// it reads the escapes): `\\` reads as one backslash, and a backslash before any
// other character is itself. Write therefore doubles a backslash only where it
// would start an escape, so Moodle reads every other backslash (`\frac`,
// `C:\Users`) as written.
//
// Where this package deliberately differs from Moodle:
//   - A `//` comment line inside a question is dropped, not kept as a blank line.
//   - Things Moodle silently reads in a surprising way are reported instead: text
//     before the first `~`/`=` of a multiple-choice or matching set, `=%50%` in a
//     multiple-choice set (Moodle reads the weight as answer text), a second answer
//     set, a `$CATEGORY:` line with more lines in its block, an answer or feedback
//     with a format tag other than its question's.
package gift

// Kind is the kind of question, named as Moodle names its question types.
type Kind string

// The question kinds GIFT can express.
const (
	MultipleChoice Kind = "multichoice" // {=right ~wrong} or {~%50%half ~%50%half ~wrong}
	TrueFalse      Kind = "truefalse"   // {T} {TRUE} {F} {FALSE}
	ShortAnswer    Kind = "shortanswer" // {=answer =other answer}
	Numerical      Kind = "numerical"   // {#N} {#N:E} {#MIN..MAX} {#=N =%50%N:E}
	Matching       Kind = "match"       // {=left -> right =left -> right}
	Essay          Kind = "essay"       // {}
	Description    Kind = "description" // no answer set at all
	MissingWord    Kind = "missingword" // text {answer set} more text; see Question.Blank
)

// Format is a text format tag: [markdown], [html], [plain] or [moodle]. The empty
// Format means no tag was written (Moodle then uses its "moodle auto-format"); it is
// kept apart from FormatMoodle so that a file round-trips as written.
type Format string

// The format tags GIFT knows.
const (
	FormatNone     Format = ""
	FormatMoodle   Format = "moodle"
	FormatHTML     Format = "html"
	FormatPlain    Format = "plain"
	FormatMarkdown Format = "markdown"
)

// Question is one GIFT question. Texts are decoded (escapes resolved, `\n` a
// newline) and trimmed, as Moodle stores them.
type Question struct {
	// Line is the 1-based line of the question's first non-comment line.
	Line int `json:",omitempty"`
	// Category is the $CATEGORY in force ("" before the first one).
	Category string `json:",omitempty"`
	// Title is the ::title:: ("" when none was written).
	Title string `json:",omitempty"`
	// ID is the question's idnumber from a `// [id:…]` comment line in its block.
	ID string `json:",omitempty"`
	// Format is the question text's format tag; answers, feedback and general
	// feedback share it (Parse reports any that names another one).
	Format Format `json:",omitempty"`
	// Text is the question text; for MissingWord, the text before the blank.
	Text string `json:",omitempty"`
	// TextAfter is, for MissingWord only, the text after the blank.
	TextAfter string `json:",omitempty"`
	Kind      Kind   `json:",omitempty"`
	// Blank is, for MissingWord only, how the answer set in the middle of the text
	// reads: MultipleChoice, ShortAnswer, TrueFalse, Numerical, Matching or Essay.
	// Its answers are in Answers (and Truth… for TrueFalse) as for that kind.
	Blank Kind `json:",omitempty"`
	// Answers in file order, for MultipleChoice, ShortAnswer, Numerical and
	// Matching (and a MissingWord whose Blank is one of these).
	Answers []Answer `json:",omitempty"`
	// GeneralFeedback is the text after #### in the answer set.
	GeneralFeedback string `json:",omitempty"`

	// TrueFalse: the right answer and the two feedbacks of {T#wrong#right}.
	Truth bool `json:",omitempty"`
	// WrongFeedback is shown to one who answered wrongly (the first # of a true/false set).
	WrongFeedback string `json:",omitempty"`
	// RightFeedback is shown to one who answered rightly (the second #).
	RightFeedback string `json:",omitempty"`
}

// Answer is one answer of a set.
//
//   - MultipleChoice: Text; Correct for `=`; Weight for `~%n%`; Feedback.
//   - ShortAnswer: Text; Correct always true (every answer is accepted, at its
//     Weight when `=%n%` gives one); Feedback.
//   - Numerical: Correct true for a number (N, N:E or MIN..MAX, with `=` or
//     alone), with Value and Tolerance, or Range with Min and Max; Weight; Feedback.
//     Correct false is the `~#feedback` for any other number (at most one, last).
//   - Matching: Text is the left side (may be empty: an extra right side), Match
//     the right side; Correct always true; no Weight, no Feedback.
type Answer struct {
	// Line is the 1-based line of the answer's `~`, `=` or first character.
	Line    int    `json:",omitempty"`
	Text    string `json:",omitempty"`
	Match   string `json:",omitempty"`
	Correct bool   `json:",omitempty"`
	// Weight is the percentage of %n% (-100..100), nil when none was written.
	Weight   *float64 `json:",omitempty"`
	Feedback string   `json:",omitempty"`

	Value     float64 `json:",omitempty"`
	Tolerance float64 `json:",omitempty"`
	Range     bool    `json:",omitempty"`
	Min       float64 `json:",omitempty"`
	Max       float64 `json:",omitempty"`
}

// Problem is malformed GIFT, on a 1-based line. Message is a plain English
// sentence (the command line speaks English).
type Problem struct {
	Line    int    `json:",omitempty"`
	Message string `json:",omitempty"`
}
