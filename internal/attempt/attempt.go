// Package attempt owns quiz attempts during a session: starting one (with a frozen,
// shuffled snapshot), autosaving answers so that none acknowledged is ever lost,
// the server-held deadline, submission and scoring, review, and the trainer's
// results and item analysis.
package attempt

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"strings"
	"time"
	"unique"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
)

// Courses is what attempts need of the course library.
type Courses interface {
	Course(id string) (*course.Course, bool)
}

// Sessions is the one session access rule (schedule.Access is it): a session
// the actor cannot see is not found, one they can see but may not act on with
// act is forbidden. attempt does not import schedule; internal/app passes the rule in.
type Sessions interface {
	Session(q store.Q, a *auth.Actor, id int64, act auth.Action, lock bool) (*store.TrainingSession, error)
}

// Metrics counts what happens to attempts; *metrics.Metrics is one.
type Metrics interface {
	AttemptStarted()
	AttemptFinalised(reason string)
	Autosave(result string)
}

// Service is the attempts domain.
type Service struct {
	db       *store.DB
	courses  Courses
	sessions Sessions
	log      *slog.Logger
	// Now is the server's clock; the deadline is judged by it alone.
	Now func() time.Time
	// Metrics, when set, counts starts, saves and finalisations once committed.
	Metrics Metrics
	// snapshots caches, per open attempt, what a save checks an answer
	// against (its owner, and each frozen question's id, kind and choice ids),
	// which never changes: a room of officers autosaving does not decode the
	// snapshot from the database on every answer. Only that much is kept, not
	// the prompts, choices' text, keys and explanations a page needs (Get
	// decodes those from the row): an entry is then ≈ 1.6 KB rather than the
	// ≈ 14 KB of a decoded snapshot (BenchmarkSnapshotCache), and an attempt
	// leaves the cache when it is finalised.
	snapshots *lru.Cache[int64, cachedSnapshot]
}

type cachedSnapshot struct {
	questions []savedShape
	owner     int64
}

// savedShape is what a save checks an answer to one question against. The
// strings are interned (unique): every attempt at a quiz has the same ids, so
// an entry holds only its order.
type savedShape struct {
	id      string
	kind    course.Kind
	choices []string
}

// question is the shape as validAnswer takes it.
func (q savedShape) question() quiz.Question {
	out := quiz.Question{ID: q.id, Kind: q.kind, Choices: make([]quiz.Choice, len(q.choices))}
	for i, id := range q.choices {
		out.Choices[i].ID = id
	}
	return out
}

// snapshotCacheSize bounds the cache: two whole conferences of 10,000 with an
// attempt open each, ≈ 32 MB at most.
const snapshotCacheSize = 20000

// forSaving keeps of each question what validAnswer checks an answer against,
// its strings interned so that an entry holds no reference into a decoded row.
func forSaving(qs []quiz.Question) []savedShape {
	out := make([]savedShape, len(qs))
	n := 0
	for _, q := range qs {
		n += len(q.Choices)
	}
	choices := make([]string, 0, n) // one allocation for every question's
	for i, q := range qs {
		out[i] = savedShape{id: unique.Make(q.ID).Value(), kind: course.Kind(unique.Make(string(q.Kind)).Value())}
		if len(q.Choices) > 0 {
			start := len(choices)
			for _, c := range q.Choices {
				choices = append(choices, unique.Make(c.ID).Value())
			}
			out[i].choices = choices[start:len(choices):len(choices)]
		}
	}
	return out
}

// NewService returns the attempts service; sessions decides who may see and
// run the sessions attempts belong to; metrics may be nil (nothing is counted).
func NewService(db *store.DB, courses Courses, sessions Sessions, metrics Metrics, log *slog.Logger) *Service {
	cache, _ := lru.New[int64, cachedSnapshot](snapshotCacheSize) // only fails for a size < 1
	return &Service{db: db, courses: courses, sessions: sessions, log: log, Now: func() time.Time { return time.Now().UTC() }, Metrics: metrics, snapshots: cache}
}

// Finalisation reasons (store's).
const (
	bySubmit       = store.FinalisedSubmitted
	byDeadline     = store.FinalisedDeadline
	byClosing      = store.FinalisedQuizClosed
	bySessionClose = store.FinalisedSessionClosed
)

// PublicQuestion is a question as an officer sees it before review: no answer key,
// no explanation.
type PublicQuestion struct {
	ID         string         `json:"id"`
	Type       course.Kind    `json:"type"`
	PromptHTML template.HTML  `json:"prompt_html"`
	Points     int            `json:"points"`
	Choices    []PublicChoice `json:"choices,omitempty"`
}

type PublicChoice struct {
	ID       string        `json:"id"`
	TextHTML template.HTML `json:"text_html"`
}

// SavedAnswer is an answer as stored, with its revision and the client's seq.
// Status says whether it counts ("saved") or arrived late and waits for the
// trainer ("late": Revision 0, SavedAt its arrival, AnsweredAt the stated time).
type SavedAnswer struct {
	QuestionID string      `json:"question_id"`
	Answer     quiz.Answer `json:"answer"`
	Seq        int64       `json:"seq"`
	Revision   int         `json:"revision"`
	SavedAt    time.Time   `json:"saved_at"`
	Status     string      `json:"status"`
	AnsweredAt *time.Time  `json:"answered_at,omitempty"`
}

// ReviewItem is one question after review is allowed.
type ReviewItem struct {
	QuestionID      string        `json:"question_id"`
	Earned          float64       `json:"earned"`
	Points          int           `json:"points"`
	Correct         bool          `json:"correct"`
	CorrectChoices  []string      `json:"correct_choices,omitempty"`
	Accepted        []string      `json:"accepted,omitempty"`
	Number          *float64      `json:"number,omitempty"`
	Tolerance       *float64      `json:"tolerance,omitempty"`
	ExplanationHTML template.HTML `json:"explanation_html,omitempty"`
}

// View is an attempt as its owner (or the session's trainer) sees it.
type View struct {
	ID        int64     `json:"id"`
	SessionID int64     `json:"session_id"`
	Quiz      string    `json:"quiz"`
	QuizTitle string    `json:"quiz_title"`
	Language  string    `json:"language"` // the quiz's language it is taken in
	Number    int       `json:"number"`
	Status    string    `json:"status"` // open | submitted
	StartedAt time.Time `json:"started_at"`
	Deadline  time.Time `json:"deadline"`
	// GraceSeconds: answers stated before the deadline that arrive this long
	// after it still count by themselves (the quiz's grace).
	GraceSeconds int                    `json:"grace_seconds"`
	ServerTime   time.Time              `json:"server_time"`
	ContentHash  string                 `json:"content_hash"`
	Questions    []PublicQuestion       `json:"questions"`
	Answers      map[string]SavedAnswer `json:"answers"`
	Result       *quiz.Result           `json:"result,omitempty"`
	Review       []ReviewItem           `json:"review,omitempty"`
	ReviewNote   string                 `json:"review_note,omitempty"`
	// ReviewPolicy comes with ReviewNote: the quiz's review policy that holds
	// the review back (after_submit, after_close, never), so that a page can
	// say when in its reader's language (ReviewNote is English).
	ReviewPolicy string `json:"review_policy,omitempty"`
	// LateAnswers arrived after the attempt's deadline (or close) although
	// given before it: see late.go.
	LateAnswers []LateAnswer `json:"late_answers,omitempty"`
}

func publicQuestions(qs []quiz.Question) []PublicQuestion {
	out := make([]PublicQuestion, 0, len(qs))
	for _, q := range qs {
		p := PublicQuestion{ID: q.ID, Type: q.Kind, PromptHTML: q.PromptHTML, Points: q.Points}
		for _, c := range q.Choices {
			p.Choices = append(p.Choices, PublicChoice{ID: c.ID, TextHTML: c.HTML})
		}
		out = append(out, p)
	}
	return out
}

func snapshotOf(a *store.Attempt) ([]quiz.Question, error) {
	var qs []quiz.Question
	if err := json.Unmarshal(a.Questions, &qs); err != nil {
		return nil, fmt.Errorf("decode attempt %d questions: %w", a.ID, err)
	}
	return qs, nil
}

func decodeAnswers(saved map[string]store.AttemptAnswer) (map[string]quiz.Answer, map[string]SavedAnswer, error) {
	plain := make(map[string]quiz.Answer, len(saved))
	views := make(map[string]SavedAnswer, len(saved))
	for id, s := range saved {
		var a quiz.Answer
		if err := json.Unmarshal(s.Answer, &a); err != nil {
			return nil, nil, fmt.Errorf("decode answer %s: %w", id, err)
		}
		plain[id] = a
		views[id] = SavedAnswer{QuestionID: id, Answer: a, Seq: s.Seq, Revision: s.Revision, SavedAt: s.SavedAt.UTC(), Status: StatusSaved}
	}
	return plain, views, nil
}

// QuizInfo lists a course quiz with the caller's attempts at it.
type QuizInfo struct {
	ID               string        `json:"id"`
	Title            string        `json:"title"` // in the reader's language when translated
	Module           string        `json:"module_title"`
	Language         string        `json:"language"`  // of Title and Module, and what a start takes it in
	Languages        []string      `json:"languages"` // it can be taken in: the course's first
	TimeLimitSeconds int           `json:"time_limit_seconds"`
	AttemptsAllowed  int           `json:"attempts_allowed"`
	Questions        int           `json:"questions"`
	PassMark         int           `json:"pass_mark"`
	Closed           bool          `json:"closed"`        // by the trainer: no start, no answer
	ReviewPolicy     string        `json:"review_policy"` // after_submit, after_close or never
	Attempts         []AttemptInfo `json:"attempts"`
}

type AttemptInfo struct {
	ID       int64        `json:"id"`
	Number   int          `json:"number"`
	Language string       `json:"language"` // taken in
	Status   string       `json:"status"`
	Deadline time.Time    `json:"deadline"`
	Result   *quiz.Result `json:"result,omitempty"`
}

// Quizzes lists the session's course quizzes and the caller's own attempts,
// titled in lang where a quiz has that translation.
func (s *Service) Quizzes(ctx context.Context, a *auth.Actor, sessionID int64, lang string) ([]QuizInfo, error) {
	if err := s.FinaliseOverdueIn(ctx, sessionID); err != nil {
		return nil, err
	}
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionRead, false)
	if err != nil {
		return nil, err
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, apperr.NotFound("course")
	}
	mine, err := q.Attempts(sessionID, "", &a.UserID)
	if err != nil {
		return nil, err
	}
	closed, err := q.ClosedQuizzes(sessionID)
	if err != nil {
		return nil, err
	}
	out := []QuizInfo{}
	for _, m := range c.Modules {
		if m.Quiz == nil {
			continue
		}
		info := quizInfo(m, lang)
		info.Closed = closed[m.Quiz.ID]
		for i := range mine {
			if mine[i].QuizID == m.Quiz.ID {
				info.Attempts = append(info.Attempts, attemptInfo(&mine[i], c.Language))
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// quizInfo describes a module's quiz, without anyone's attempts, titled in
// lang when the quiz has that translation (else in the course's language).
func quizInfo(m *course.Module, lang string) QuizInfo {
	qz := m.Quiz.In(lang)
	title := m.Title
	if t := m.Translation(qz.Language); t.Language == qz.Language {
		title = t.Title
	}
	return QuizInfo{ID: m.Quiz.ID, Title: qz.Title, Module: title, Language: qz.Language, Languages: m.Quiz.Languages(),
		TimeLimitSeconds: int(m.Quiz.TimeLimit.Seconds()), AttemptsAllowed: m.Quiz.Attempts, Questions: len(m.Quiz.Questions),
		PassMark: m.Quiz.PassMark, ReviewPolicy: string(m.Quiz.Review), Attempts: []AttemptInfo{}}
}

// languageOf is the language an attempt was taken in; rows from before
// translated quizzes hold "", the course's language.
func languageOf(at *store.Attempt, courseLang string) string {
	if at.Language == "" {
		return courseLang
	}
	return at.Language
}

func attemptInfo(at *store.Attempt, courseLang string) AttemptInfo {
	info := AttemptInfo{ID: at.ID, Number: at.Number, Language: languageOf(at, courseLang), Status: "open", Deadline: at.Deadline.UTC()}
	if at.Finalised != "" {
		info.Status = "submitted"
		info.Result = &quiz.Result{Score: at.Score, MaxScore: at.MaxScore, Percent: at.Percent, Passed: at.Passed}
	}
	return info
}

// Start opens an attempt in the course's language; see StartIn.
func (s *Service) Start(ctx context.Context, a *auth.Actor, sessionID int64, quizID string) (v *View, created bool, err error) {
	return s.StartIn(ctx, a, sessionID, quizID, "", false)
}

// StartIn opens an attempt for an enrolled officer, or returns the one already
// open (in the language it was started in). created reports whether a new
// attempt began. lang is the language the officer reads: the quiz's
// translation into it when there is one, else the course's language; when the
// officer chose it explicitly (required), a language the quiz does not have is
// refused. Every language is the same quiz: same ids, key, order for a seed.
//
// A whole room presses "Start" in the same second, so everything that only reads
// (the session, the enrolment, the course, earlier attempts) and the snapshot are
// prepared on the read pool; the write transaction only re-counts the officer's
// attempts, to keep the limit exact, and inserts.
func (s *Service) StartIn(ctx context.Context, a *auth.Actor, sessionID int64, quizID, lang string, required bool) (v *View, created bool, err error) {
	// Microseconds, as PostgreSQL stores them: the view answered from what is
	// in hand below then equals what a later Get reads back, on either database.
	now := s.Now().Truncate(time.Microsecond)
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActCheckin, false) // officers take quizzes
	if err != nil {
		return nil, false, err
	}
	e, err := q.EnrollmentRow(sessionID, a.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
		return nil, false, apperr.NotFound("session_enrolment")
	} else if err != nil {
		return nil, false, err
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, false, apperr.NotFound("course")
	}
	m := c.Module(quizID)
	if m == nil || m.Quiz == nil {
		return nil, false, apperr.NotFound("quiz")
	}
	taken := m.Quiz.In(lang)
	if required && lang != "" && !m.Quiz.Has(lang) {
		return nil, false, apperr.Invalid("language", "err.quiz.language_missing", "Language", lang, "Languages", strings.Join(m.Quiz.Languages(), ", "))
	}
	switch {
	case ts.Status.Ended():
		return nil, false, schedule.ErrEnded(ts.Status)
	case now.Before(ts.StartsAt):
		return nil, false, apperr.Conflict("err.quiz.not_started")
	}
	if closed, err := q.QuizClosed(sessionID, quizID); err != nil {
		return nil, false, err
	} else if closed {
		return nil, false, errQuizClosed
	}
	var seedBytes [8]byte
	if _, err := crand.Read(seedBytes[:]); err != nil {
		return nil, false, fmt.Errorf("attempt seed: %w", err)
	}
	questions := quiz.Snapshot(taken, binary.LittleEndian.Uint64(seedBytes[:]))
	snap, err := json.Marshal(questions)
	if err != nil {
		return nil, false, fmt.Errorf("encode snapshot: %w", err)
	}
	var (
		attemptID int64
		started   *store.Attempt // the new attempt, when one began
	)
	overdue := 0 // earlier attempts finalised by their deadline on the way
	err = s.db.Tx(ctx, func(q store.Q) error {
		// One start (or paper entry) per officer at a time: two taps must not
		// both find no open attempt and each create one.
		if _, err := q.EnrollmentForUpdate(sessionID, a.UserID); err != nil {
			return err
		}
		// Again inside the writer: a trainer may have closed the day or the
		// quiz a moment ago. The session's row is share-locked (PostgreSQL) so a
		// close, which submits every open attempt, waits for this start or is
		// seen by it.
		if status, err := q.SessionStatusForShare(sessionID); err != nil {
			return err
		} else if status.Ended() {
			return schedule.ErrEnded(status)
		}
		if closed, err := q.QuizClosed(sessionID, quizID); err != nil {
			return err
		} else if closed {
			return errQuizClosed
		}
		previous, err := q.Attempts(sessionID, quizID, &a.UserID)
		if err != nil {
			return err
		}
		for i := range previous {
			p := &previous[i]
			if p.Finalised == "" && now.Before(p.Deadline) {
				attemptID = p.ID // the open attempt, not a new one
				return nil
			}
			if p.Finalised == "" {
				if err := s.finalise(q, p, byDeadline, now); err != nil {
					return err
				}
				overdue++
			}
		}
		allowed, err := attemptLimit(q, m.Quiz, sessionID, a.UserID)
		if err != nil {
			return err
		}
		if len(previous) >= allowed {
			return apperr.Conflict("err.attempt.all_used", "Count", allowed)
		}
		at := &store.Attempt{SessionID: sessionID, QuizID: quizID, UserID: a.UserID, Number: len(previous) + 1,
			ContentHash: m.Quiz.Hash, CourseHash: c.Hash, Questions: snap, PassMark: m.Quiz.PassMark,
			Review: string(m.Quiz.Review), Language: taken.Language, StartedAt: now, Deadline: deadline(now, m.Quiz.TimeLimit, e.ExtraTimePercent, ts.EndsAt),
			GraceSeconds: int(m.Quiz.Grace / time.Second)}
		if err := q.CreateAttempt(at); err != nil {
			return err
		}
		attemptID, created, started = at.ID, true, at
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.snapshots.Add(attemptID, cachedSnapshot{questions: forSaving(questions), owner: a.UserID})
	}
	if created && s.Metrics != nil {
		s.Metrics.AttemptStarted()
	}
	s.CountFinalised(map[string]int{string(byDeadline): overdue})
	if created {
		// Nothing to read back: a new attempt has no answer yet, and its row is
		// what was just inserted. A burst of starts skips a Get's reads.
		return openView(started, c, questions, map[string]SavedAnswer{}, now), true, nil
	}
	v, err = s.Get(ctx, a, attemptID)
	return v, created, err
}

// deadline is start + limit × (1 + extra/100), rounded up to the second. A quiz
// without a limit may be answered until the session ends (at least an hour).
func deadline(start time.Time, limit time.Duration, extraPercent int, sessionEnd time.Time) time.Time {
	if limit <= 0 {
		end := sessionEnd
		if end.Before(start.Add(time.Hour)) {
			end = start.Add(time.Hour)
		}
		return end.UTC()
	}
	d := time.Duration(math.Ceil(float64(limit)*(1+float64(extraPercent)/100)/float64(time.Second))) * time.Second
	return start.Add(d).UTC()
}
