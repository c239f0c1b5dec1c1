package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Finalised is how an attempt ended; empty while it is open.
type Finalised string

const (
	FinalisedSubmitted     Finalised = "submitted"      // by its owner
	FinalisedDeadline      Finalised = "deadline"       // with what was saved
	FinalisedQuizClosed    Finalised = "quiz_closed"    // the trainer closed the quiz: what was saved counts
	FinalisedSessionClosed Finalised = "session_closed" // the trainer closed the day: what was saved counts
	FinalisedPaper         Finalised = "paper"          // per-question answers entered by the trainer
	FinalisedPaperScore    Finalised = "paper_score"    // only the score was entered
)

// Attempt is one officer's go at one quiz in one session, with the questions
// frozen as they were when it started (answer key included: it never leaves the
// server before review).
type Attempt struct {
	ID          int64
	SessionID   int64
	QuizID      string
	UserID      int64
	Number      int
	ContentHash string
	CourseHash  string
	Questions   []byte // JSON []quiz.Question
	PassMark    int
	Review      string
	StartedAt   time.Time
	Deadline    time.Time
	// GraceSeconds is the quiz's grace when the attempt started: answers stated
	// before the deadline that arrive within it still count.
	GraceSeconds int
	// Language is the tag of the translation the attempt was taken in ("" for
	// attempts from before translated quizzes: the course's language).
	Language    string
	Finalised   Finalised // "" while open
	FinalisedAt *time.Time
	EnteredBy   *int64 // a trainer who entered it from a paper sheet
	Score       float64
	MaxScore    float64
	Percent     float64
	Passed      bool
}

func (q Q) CreateAttempt(a *Attempt) error {
	if err := q.g.Create(a).Error; err != nil {
		return fmt.Errorf("create attempt: %w", translate(err))
	}
	return nil
}

// Attempt loads one attempt, locking its row on PostgreSQL when asked.
func (q Q) Attempt(id int64, lock bool) (*Attempt, error) {
	var a Attempt
	g := q.g
	if lock && q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&a, id).Error; err != nil {
		return nil, fmt.Errorf("load attempt %d: %w", id, translate(err))
	}
	return &a, nil
}

// Attempts lists attempts in a session, optionally for one quiz and one user.
func (q Q) Attempts(sessionID int64, quizID string, userID *int64) ([]Attempt, error) {
	g := q.g.Where("session_id = ?", sessionID).Order("user_id, quiz_id, number")
	if quizID != "" {
		g = g.Where("quiz_id = ?", quizID)
	}
	if userID != nil {
		g = g.Where("user_id = ?", *userID)
	}
	var out []Attempt
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	return out, nil
}

func (q Q) SaveAttempt(a *Attempt) error {
	if err := q.g.Save(a).Error; err != nil {
		return fmt.Errorf("save attempt %d: %w", a.ID, translate(err))
	}
	return nil
}

// RekeyOpenAttempt replaces the frozen questions of an attempt still open, and
// only if it still is (a submission may have finalised it a moment ago: its
// score then stands as scored, and the row is left alone).
func (q Q) RekeyOpenAttempt(id int64, questions []byte, contentHash string) (bool, error) {
	res := q.g.Model(&Attempt{}).Where("id = ? AND finalised = ''", id).
		Updates(map[string]any{"questions": questions, "content_hash": contentHash})
	if res.Error != nil {
		return false, fmt.Errorf("rekey attempt %d: %w", id, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// OverdueAttempts lists open attempts whose deadline has passed, in one session
// or (sessionID nil) in all.
func (q Q) OverdueAttempts(now time.Time, limit int, sessionID *int64) ([]Attempt, error) {
	var out []Attempt
	g := q.g.Where("finalised = '' AND deadline < ?", now)
	if sessionID != nil {
		g = g.Where("session_id = ?", *sessionID)
	}
	if err := g.Order("deadline").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list overdue attempts: %w", err)
	}
	return out, nil
}

// AttemptState is the part of an attempt that decides whether it still takes
// answers; a save reads only this inside its write transaction.
type AttemptState struct {
	UserID       int64
	Finalised    Finalised
	FinalisedAt  *time.Time
	StartedAt    time.Time
	Deadline     time.Time
	GraceSeconds int
}

// AttemptStateForUpdate reads an attempt's state, locking the row on PostgreSQL.
func (q Q) AttemptStateForUpdate(id int64) (*AttemptState, error) {
	var st AttemptState
	g := q.g.Model(&Attempt{}).Select("user_id, finalised, finalised_at, started_at, deadline, grace_seconds").Where("id = ?", id)
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&st).Error; err != nil {
		return nil, fmt.Errorf("load attempt %d state: %w", id, translate(err))
	}
	return &st, nil
}
