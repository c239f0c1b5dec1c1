package attempt

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// Paper results: in a room without devices the officer answers on paper and the
// trainer enters the result, either per question (scored like an online attempt,
// and regraded like one) or as a score. One paper result per officer and quiz:
// entering it again replaces it, so it is counted once.
//
// This file reads what is entered (a sheet's marks, answers, or a score) and
// records it; paper_print.go decides what a printed version holds and keeps
// the record its sheets are read back with; package paper draws the PDF.
const (
	byPaper      = store.FinalisedPaper
	byPaperScore = store.FinalisedPaperScore
)

// PaperInput is a paper result, given one of three ways: Sheet, what is marked
// on a printed version; Answers by question id (choices by choice id); or Score
// (points, out of the quiz's maximum).
type PaperInput struct {
	UserID  int64                `json:"user_id"`
	Sheet   *PaperSheet          `json:"sheet"`
	Answers map[string]SaveInput `json:"answers"`
	Score   *float64             `json:"score"`
	Reason  string               `json:"reason"`
}

// PaperSheet is what a trainer reads off a printed sheet: its version number
// and, by printed question number ("1", "2", …), the letters ticked ("B",
// "A C"), the words written, or the number written. Blank means unanswered.
type PaperSheet struct {
	Version int               `json:"version"`
	Answers map[string]string `json:"answers"`
}

// EnterPaper records an officer's paper result for a session's quiz (its trainers
// and admins), marked as entered by the trainer, and returns the result.
func (s *Service) EnterPaper(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, in PaperInput) (*quiz.Result, error) {
	ts, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	var printed []quiz.Question // the sheet's questions, as printed
	if in.Sheet != nil && checkPaperVersion(in.Sheet.Version) == nil {
		if printed, err = s.printedQuestions(ctx, ts, quizID, qz, in.Sheet.Version); err != nil {
			return nil, err
		}
	}
	questions, plain, result, reason, err := paperResult(qz, in, printed)
	// Every problem at once: a trainer at a sheet fixes them in one go.
	if err := apperr.JoinInvalid(err, Exception{Reason: in.Reason}.check(false)); err != nil {
		return nil, err
	}
	snap, err := json.Marshal(questions)
	if err != nil {
		return nil, fmt.Errorf("encode paper snapshot: %w", err)
	}
	now := s.Now()
	err = s.db.Tx(ctx, func(q store.Q) error {
		e, err := q.EnrollmentForUpdate(sessionID, in.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
			return apperr.NotFound("enrolment")
		} else if err != nil {
			return err
		}
		previous, err := q.Attempts(sessionID, quizID, &in.UserID)
		if err != nil {
			return err
		}
		var at *store.Attempt
		before := map[string]any{}
		for i := range previous {
			if p := &previous[i]; p.Finalised == byPaper || p.Finalised == byPaperScore {
				at = p
				before = map[string]any{"attempt": p.ID, "score": p.Score, "percent": p.Percent, "passed": p.Passed}
			}
		}
		actor := a.UserID
		if at == nil {
			at = &store.Attempt{SessionID: sessionID, QuizID: quizID, UserID: in.UserID, Number: len(previous) + 1, StartedAt: now, Deadline: now}
		}
		at.ContentHash, at.CourseHash, at.Questions, at.PassMark, at.Review = qz.Hash, c.Hash, snap, qz.PassMark, string(qz.Review)
		at.Language = qz.Language // a sheet, whatever language it was printed in (PaperQuiz lang), is marked with the course language's key: the same ids, order and letters
		at.Finalised, at.FinalisedAt, at.EnteredBy = reason, &now, &actor
		at.Score, at.MaxScore, at.Percent, at.Passed = result.Score, result.MaxScore, result.Percent, result.Passed
		if at.ID == 0 {
			if err := q.CreateAttempt(at); err != nil {
				return err
			}
		} else if err := q.SaveAttempt(at); err != nil {
			return err
		}
		if err := q.DeleteAnswers(at.ID); err != nil {
			return err
		}
		for qid, ans := range plain {
			data, err := json.Marshal(ans)
			if err != nil {
				return err
			}
			if err := q.SaveAnswer(&store.AttemptAnswer{AttemptID: at.ID, QuestionID: qid, Answer: data, Seq: 1, Revision: 1, SavedAt: now}); err != nil {
				return err
			}
		}
		if err := keepItemScores(q, at); err != nil {
			return err
		}
		s.snapshots.Remove(at.ID)
		if err := announceRekeyed(q, []int64{at.ID}); err != nil {
			return err
		}
		return s.auditException(q, a, "attempt.paper", sessionID, in.UserID, before,
			map[string]any{"attempt": at.ID, "quiz": quizID, "kind": reason, "score": result.Score, "percent": result.Percent, "passed": result.Passed, "reason": in.Reason})
	})
	if err != nil {
		return nil, err
	}
	return &result, nil
}

// sheetAnswers reads a printed sheet's marks back into answers by question id,
// through the version's order and letters.
func sheetAnswers(questions []quiz.Question, marks map[string]string) (map[string]quiz.Answer, error) {
	out := make(map[string]quiz.Answer, len(marks))
	var problems apperr.Fields // every wrong mark, in the sheet's order
	seen := map[int]bool{}     // "1" and "01" are one question
	for _, num := range slices.SortedFunc(maps.Keys(marks), func(a, b string) int { return cmp.Compare(paperNum(a), paperNum(b)) }) {
		n := paperNum(num)
		if n < 1 || n > len(questions) {
			problems.Add("sheet.answers", "err.paper.sheet_range", "Max", len(questions), "Number", num)
			continue
		}
		mark := strings.TrimSpace(marks[num])
		if mark == "" {
			continue
		}
		if seen[n] {
			problems.Add("sheet.answers."+strconv.Itoa(n), "err.paper.twice", "Number", n)
			continue
		}
		seen[n] = true
		ans, problem := sheetMark(questions[n-1], n, mark)
		if problem.ID != "" {
			problems = append(problems, apperr.FieldError{Field: "sheet.answers." + strconv.Itoa(n), Msg: problem})
			continue
		}
		out[questions[n-1].ID] = ans
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// paperNum is a printed question number, or 0.
func paperNum(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// sheetMark reads what is marked for printed question n, or says what is wrong.
func sheetMark(q quiz.Question, n int, mark string) (quiz.Answer, apperr.Msg) {
	var in SaveInput
	switch q.Kind {
	case course.KindSingle, course.KindMultiple:
		in.Choices = []string{}
		for _, r := range strings.ToUpper(mark) {
			if r == ' ' || r == ',' || r == ';' || r == '/' || r == '+' {
				continue
			}
			i := int(r - 'A')
			if i < 0 || i >= len(q.Choices) || quiz.Letter(i) != string(r) {
				return quiz.Answer{}, apperr.Msg{ID: "err.paper.letter_range", Args: []any{"Number", n, "First", quiz.Letter(0), "Last", quiz.Letter(len(q.Choices) - 1), "Letter", string(r)}}
			}
			in.Choices = append(in.Choices, q.Choices[i].ID)
		}
		if q.Kind == course.KindSingle && len(slices.Compact(slices.Sorted(slices.Values(in.Choices)))) > 1 {
			return quiz.Answer{}, apperr.Msg{ID: "err.paper.one_letter", Args: []any{"Number", n}}
		}
	case course.KindShort:
		in.Text = &mark
	case course.KindNumeric:
		x, err := paperNumber(mark)
		if err != nil {
			return quiz.Answer{}, apperr.Msg{ID: "err.paper.number", Args: []any{"Number", n, "Mark", mark}}
		}
		in.Number = &x
	}
	ans, err := validAnswer(q, in)
	if err != nil {
		if de, ok := apperr.As(err); ok && len(de.Details) > 0 {
			return quiz.Answer{}, apperr.Msg{ID: "err.paper.question_problem", Args: []any{"Number", n, "Problem", de.Details[0].Msg}}
		}
		return quiz.Answer{}, apperr.Msg{ID: "err.paper.question_problem", Args: []any{"Number", n, "Problem", err.Error()}}
	}
	return ans, apperr.Msg{}
}

// paperNumber reads a handwritten number as typed by the trainer: spaces as
// thousands separators, and a lone comma as the decimal mark ("2,5").
func paperNumber(s string) (float64, error) {
	s = strings.ReplaceAll(s, " ", "")
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
		err = strconv.ErrSyntax
	}
	return x, err
}

// paperResult reads a paper input into the questions it was answered on (the
// printed version's order), the answers by question id, the result, and how it
// was entered.
func paperResult(qz *course.Quiz, in PaperInput, printed []quiz.Question) ([]quiz.Question, map[string]quiz.Answer, quiz.Result, store.Finalised, error) {
	given := 0
	for _, set := range []bool{in.Sheet != nil, len(in.Answers) > 0, in.Score != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, nil, quiz.Result{}, "", apperr.Invalid("answers", "err.paper.give_one")
	}
	questions := quiz.Snapshot(qz, 0)
	var plain map[string]quiz.Answer
	var result quiz.Result
	reason := byPaper
	if in.Sheet != nil {
		if err := checkPaperVersion(in.Sheet.Version); err != nil {
			return nil, nil, quiz.Result{}, "", err
		}
		questions = printed
		var err error
		if plain, err = sheetAnswers(questions, in.Sheet.Answers); err != nil {
			return nil, nil, quiz.Result{}, "", err
		}
		result = quiz.Total(questions, plain, qz.PassMark)
	} else if in.Score != nil {
		reason = byPaperScore
		max := quiz.Total(questions, nil, 0).MaxScore
		if math.IsNaN(*in.Score) || *in.Score < 0 || *in.Score > max {
			return nil, nil, quiz.Result{}, "", apperr.Invalid("score", "err.paper.score_range", "Max", max)
		}
		result = quiz.ResultOf(*in.Score, max, qz.PassMark)
	} else {
		plain = map[string]quiz.Answer{}
		for qid, raw := range in.Answers {
			i := -1
			for j := range questions {
				if questions[j].ID == qid {
					i = j
				}
			}
			if i < 0 {
				return nil, nil, quiz.Result{}, "", apperr.Invalid("answers", "err.paper.no_question", "Question", qid)
			}
			ans, err := validAnswer(questions[i], raw)
			if err != nil {
				return nil, nil, quiz.Result{}, "", err
			}
			plain[qid] = ans
		}
		result = quiz.Total(questions, plain, qz.PassMark)
	}
	return questions, plain, result, reason, nil
}

// PaperSlot is one printed question of a paper version as the trainer enters
// what is marked on it: its number and the kind of mark it takes. It carries
// neither the prompt nor the key, so the entry page can be on a screen the
// room sees.
type PaperSlot struct {
	Number     int         `json:"number"`
	Kind       course.Kind `json:"kind"`
	LastLetter string      `json:"last_letter,omitempty"` // choice questions: A to this
	Points     int         `json:"points"`
}

// PaperSlots lays out printed version v of a session's quiz for entering a sheet
// (its trainers and admins). Versions order questions differently, so the kind
// of mark a number takes depends on the version.
func (s *Service) PaperSlots(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, version int) ([]PaperSlot, error) {
	ts, _, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	if err := checkPaperVersion(version); err != nil {
		return nil, err
	}
	questions, err := s.printedQuestions(ctx, ts, quizID, qz, version)
	if err != nil {
		return nil, err
	}
	out := make([]PaperSlot, len(questions))
	for i, q := range questions {
		out[i] = PaperSlot{Number: i + 1, Kind: q.Kind, Points: q.Points}
		if len(q.Choices) > 0 {
			out[i].LastLetter = quiz.Letter(len(q.Choices) - 1)
		}
	}
	return out, nil
}

// checkPaperVersion refuses a version number no sheet can carry.
func checkPaperVersion(v int) error {
	if v < 1 || v > quiz.MaxPaperVersion {
		return apperr.Invalid("sheet.version", "err.paper.sheet_version", "Max", quiz.MaxPaperVersion)
	}
	return nil
}
