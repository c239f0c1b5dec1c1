// Package course owns what trainers write: it loads a course directory (course.md,
// modules, quizzes, images) into a typed model, renders its Markdown with goldmark,
// and lints it. It is pure: no database, no HTTP.
package course

import (
	"html/template"
	"strings"
	"time"
)

// Course is one course directory, parsed and rendered.
type Course struct {
	ID          string // directory name, used in URLs
	Path        string // course.md path as given to the loader, for messages
	Title       string
	Summary     string
	Audience    string
	Language    string
	Overview    template.HTML
	Certificate CertificateRule
	Modules     []*Module
	// Texts are course.LANG.md's translations of the texts above, by
	// canonical language tag; Text(lang) picks one.
	Texts map[string]*CourseText
	// Assets are the files a module may reference (images, downloads), by slash path
	// relative to the course directory. Markdown sources are never assets.
	Assets map[string][]byte
	Hash   string // sha256 over every file of the course
	// Sources holds every source file by relative path, so a version can be stored.
	Sources map[string][]byte
	// Warnings are lint findings that do not stop the course from loading (see
	// checkNumberFormat); `lectern lint` prints them but still exits 0.
	Warnings Problems
}

// CertificateRule is the course's rule for issuing certificates.
type CertificateRule struct {
	Title              string
	RequiresAttendance bool
	RequiresQuizzes    bool
	PassMark           int // percent, per quiz unless the quiz sets its own
	ValidFor           Validity
	// Languages are what the certificate is worded in: one, or two for the
	// bilingual layout (the first above, the second below). Never empty once
	// loaded: the course's language by default.
	Languages []string
}

// Module is one lesson of a course, with its optional quiz and translations.
type Module struct {
	ID           string // file name without ".md", e.g. "01-blockchain"
	Path         string
	Language     string
	Title        string
	Duration     time.Duration
	Objectives   []string
	HTML         template.HTML
	Words        int
	Hash         string
	Quiz         *Quiz
	Translations map[string]*Module // by canonical language tag; nil on a translation itself
}

// Module returns the course's module with id, or nil.
func (c *Course) Module(id string) *Module {
	for _, m := range c.Modules {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Duration is the sum of the modules' durations.
func (c *Course) Duration() time.Duration {
	var d time.Duration
	for _, m := range c.Modules {
		d += m.Duration
	}
	return d
}

// Quizzes lists the course's quizzes in module order.
func (c *Course) Quizzes() []*Quiz {
	var qs []*Quiz
	for _, m := range c.Modules {
		if m.Quiz != nil {
			qs = append(qs, m.Quiz)
		}
	}
	return qs
}

// ReviewPolicy says when officers may see right answers and explanations.
type ReviewPolicy string

const (
	ReviewAfterSubmit ReviewPolicy = "after_submit"
	ReviewAfterClose  ReviewPolicy = "after_close"
	ReviewNever       ReviewPolicy = "never"
)

// Quiz is a module's quiz. Its answer key lives here and must never be rendered
// into a page or response an officer sees before review is allowed.
type Quiz struct {
	ID        string // the module's id
	Path      string
	Language  string // the course's, or a translation's
	Title     string
	Intro     template.HTML
	TimeLimit time.Duration // 0 means no limit
	Attempts  int
	Shuffle   bool
	PassMark  int
	Review    ReviewPolicy
	// Grace is how long after the deadline an answer stated before it still
	// counts by itself (default 0: it waits for a trainer).
	Grace     time.Duration
	Questions []*Question
	// Hash is the course language's file's: a translation is scored with the
	// same key, so an attempt in any language pins the same version.
	Hash string
	// fileHash is a translation's own file's hash (Hash stays the course
	// language's); see VersionHash.
	fileHash string
	// Translations are MODULE.quiz.LANG.md merged onto this quiz (see
	// translate.go), by canonical language tag; In(lang) picks one.
	Translations map[string]*Quiz
	// settingLines are the settings this file's front matter sets, with their
	// lines, for comparing a translation's with the course language's.
	settingLines map[string]int
}

// Points is the sum of the questions' weights.
func (q *Quiz) Points() int {
	n := 0
	for _, x := range q.Questions {
		n += x.Points
	}
	return n
}

// Kind is the kind of a question, derived from how its answers are written.
type Kind string

const (
	KindSingle   Kind = "single"
	KindMultiple Kind = "multiple"
	KindShort    Kind = "short"
	KindNumeric  Kind = "numeric"
)

// Question is one "## " section of a quiz file.
type Question struct {
	ID              string
	Line            int
	Kind            Kind
	Prompt          string // Markdown: heading text plus any paragraphs under it
	PromptHTML      template.HTML
	Points          int
	Choices         []Choice
	Answers         []string // accepted short answers, as written
	Number          float64  // numeric answer
	Tolerance       float64
	Explanation     string
	ExplanationHTML template.HTML
	// Dropped ({dropped} on the heading): the question no longer counts, for
	// anyone — a regrade removes it from every score and maximum.
	Dropped bool
}

// Title is the first line of the question's Markdown, its heading, whole: a
// trainer tells questions apart by it (a regrade's changes, the programme's
// facility report), so pages wrap a long heading rather than cut it.
func (q *Question) Title() string {
	title, _, _ := strings.Cut(strings.TrimSpace(q.Prompt), "\n")
	return title
}

// Choice is one option of a single- or multiple-choice question. Its id is derived
// from its text, so reordering choices in the file keeps stored answers meaningful.
type Choice struct {
	ID      string
	Text    string
	HTML    template.HTML
	Correct bool
}
