package attempt

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// PaperQuiz is what a printed version of a session's quiz carries: the session's
// day and place, the course and quiz, and the questions in that version's order
// and lettering (quiz.PaperVersion, the order EnterPaper reads a sheet back
// with), answer keys included: the printer leaves them off the officers' copy.
type PaperQuiz struct {
	Session   PaperSession
	Course    *course.Course
	Quiz      *course.Quiz
	Version   int
	Questions []quiz.Question
}

// PaperSession is what a printed sheet says of its session.
type PaperSession struct {
	Date, Venue, City, Country string
}

// PaperQuiz returns printed version v (1 … quiz.MaxPaperVersion) of a session's
// quiz, for its trainers and admins only: it holds the answer key. Printing is
// recorded (who, which version, the officers' sheet or the key, and the layout
// its sheets are read back with); a version already printed with another
// layout is refused.
//
// lang is the language the sheet is worded in: "" for the course's, else one
// the quiz is translated into (its translation has the course language's ids,
// order and key, so a sheet is marked the same in every language).
func (s *Service) PaperQuiz(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, version int, key bool, lang string) (*PaperQuiz, error) {
	ts, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	// Checked after who may print, so an officer learns nothing from a bad version.
	if version < 1 || version > quiz.MaxPaperVersion {
		return nil, apperr.Invalid("version", "err.paper.version_range", "Max", quiz.MaxPaperVersion)
	}
	if lang != "" {
		if !qz.Has(lang) {
			return nil, apperr.Invalid("language", "err.quiz.language_missing", "Language", lang, "Languages", strings.Join(qz.Languages(), ", "))
		}
		qz = qz.In(lang)
	}
	questions := quiz.PaperVersion(qz, version)
	if err := s.recordPrint(ctx, a.UserID, ts, c, quizID, qz, version, key, questions); err != nil {
		return nil, err
	}
	s.log.Info("paper quiz printed", "session_id", sessionID, "quiz", quizID, "version", version, "key", key, "by", a.UserID)
	where := PaperSession{Date: ts.Date, Venue: ts.Venue, City: ts.City, Country: ts.Country}
	return &PaperQuiz{Session: where, Course: c, Quiz: qz, Version: version, Questions: questions}, nil
}

// A printed sheet is read back as it was printed, not as the quiz is now: a
// trainer may add a choice or a question between printing at 08:00 and entering
// at 16:00, and the letters on the paper must keep meaning what they meant.
// Printing a version records its layout — the order of questions and choices —
// with the course version it came from; the record lives in the audit log
// (action quiz.paper_print), which is also where "who printed the answer key"
// belongs.
const actionPaperPrint = "quiz.paper_print"

// paperPrint is one print record.
type paperPrint struct {
	Quiz          string            `json:"quiz"`
	Version       int               `json:"version"`
	Key           bool              `json:"key"` // the answer key, not the officers' sheet
	CourseVersion string            `json:"course_version"`
	QuizHash      string            `json:"quiz_hash"`
	Layout        []printedQuestion `json:"layout"`
}

// printedQuestion is one question as printed: its id, and its choices' ids in
// the order of the letters A, B, …
type printedQuestion struct {
	ID      string   `json:"id"`
	Choices []string `json:"choices,omitempty"`
}

func layoutOf(qs []quiz.Question) []printedQuestion {
	out := make([]printedQuestion, len(qs))
	for i, q := range qs {
		out[i].ID = q.ID
		for _, c := range q.Choices {
			out[i].Choices = append(out[i].Choices, c.ID)
		}
	}
	return out
}

func sameLayout(a, b []printedQuestion) bool {
	return slices.EqualFunc(a, b, func(x, y printedQuestion) bool { return x.ID == y.ID && slices.Equal(x.Choices, y.Choices) })
}

// prints returns a session's print records of one quiz, by version, the
// latest of each.
func prints(q store.Q, sessionID int64, quizID string) (map[int]*paperPrint, error) {
	events, err := q.SessionAuditEvents(sessionID, []string{actionPaperPrint})
	if err != nil {
		return nil, err
	}
	out := map[int]*paperPrint{}
	for _, e := range events {
		var p paperPrint
		if err := json.Unmarshal([]byte(e.After), &p); err != nil {
			return nil, fmt.Errorf("read print record %d: %w", e.ID, err)
		}
		if p.Quiz == quizID {
			out[p.Version] = &p
		}
	}
	return out, nil
}

// recordPrint checks that printing version v of a quiz now gives the layout
// any earlier print of v had (else the sheets already out would read wrong),
// and records it.
func (s *Service) recordPrint(ctx context.Context, actorID int64, ts *store.TrainingSession, c *course.Course, quizID string, qz *course.Quiz, version int, key bool, questions []quiz.Question) error {
	return s.db.Tx(ctx, func(q store.Q) error {
		earlier, err := prints(q, ts.ID, quizID)
		if err != nil {
			return err
		}
		layout := layoutOf(questions)
		if p := earlier[version]; p != nil && !sameLayout(p.Layout, layout) {
			free := 1
			for earlier[free] != nil {
				free++
			}
			return apperr.Conflict("err.paper.version_layout", "Version", version, "Free", free)
		}
		after, err := json.Marshal(paperPrint{Quiz: quizID, Version: version, Key: key, CourseVersion: c.Hash, QuizHash: qz.Hash, Layout: layout})
		if err != nil {
			return fmt.Errorf("encode print record: %w", err)
		}
		sid := ts.ID
		return q.Audit(&store.AuditEvent{At: s.Now(), ActorID: &actorID, Action: actionPaperPrint, SessionID: &sid, After: string(after)})
	})
}

// printedQuestions are the questions of version v of a session's quiz as its
// sheets were printed — that print's order of questions and choices, from the
// course version it came from — with the answer keys of the quiz as it is now.
// A version never printed here is the quiz's version v as it is now.
func (s *Service) printedQuestions(ctx context.Context, ts *store.TrainingSession, quizID string, qz *course.Quiz, version int) ([]quiz.Question, error) {
	all, err := prints(s.db.Read(ctx), ts.ID, quizID)
	if err != nil {
		return nil, err
	}
	p := all[version]
	if p == nil || p.QuizHash == qz.Hash {
		return quiz.PaperVersion(qz, version), nil
	}
	printed, err := s.storedQuiz(ctx, ts.CourseID, p.CourseVersion, quizID)
	if err != nil {
		return nil, apperr.Conflict("err.paper.version_unloadable", "Version", version, "Error", err.Error())
	}
	byID := map[string]quiz.Question{}
	for _, q := range quiz.Snapshot(withoutShuffle(printed), 0) {
		byID[q.ID] = q
	}
	out := make([]quiz.Question, 0, len(p.Layout))
	for _, pq := range p.Layout {
		q, ok := byID[pq.ID]
		if !ok || len(q.Choices) != len(pq.Choices) {
			return nil, apperr.Conflict("err.paper.print_mismatch", "Version", version)
		}
		choices := make([]quiz.Choice, len(pq.Choices))
		for i, id := range pq.Choices {
			j := slices.IndexFunc(q.Choices, func(c quiz.Choice) bool { return c.ID == id })
			if j < 0 {
				return nil, apperr.Conflict("err.paper.print_mismatch", "Version", version)
			}
			choices[i] = q.Choices[j]
		}
		q.Choices = choices
		out = append(out, q)
	}
	return quiz.Rekey(out, qz), nil
}
