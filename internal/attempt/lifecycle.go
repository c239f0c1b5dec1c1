package attempt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// owned loads an attempt the actor may read: its owner, or the session's trainers
// and admins. Anyone else gets not-found.
func (s *Service) owned(q store.Q, a *auth.Actor, id int64, lock, ownerOnly bool) (*store.Attempt, *store.TrainingSession, error) {
	if a == nil {
		return nil, nil, auth.Authorize(nil, auth.ActSessionRead)
	}
	at, err := q.Attempt(id, lock)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, apperr.NotFound("attempt")
	} else if err != nil {
		return nil, nil, err
	}
	ts, err := q.Session(at.SessionID, false)
	if err != nil {
		return nil, nil, err
	}
	if at.UserID != a.UserID && (ownerOnly || !a.CanManageSession(ts.TrainerIDs())) {
		return nil, nil, apperr.NotFound("attempt")
	}
	return at, ts, nil
}

// openView is an attempt's view before any review: what Get answers for an
// open attempt, and what a start answers for the attempt it created. c (the
// attempt's course) may be nil when the library no longer has it; the title is
// then empty and the language the attempt's.
func openView(at *store.Attempt, c *course.Course, qs []quiz.Question, answers map[string]SavedAnswer, now time.Time) *View {
	v := &View{ID: at.ID, SessionID: at.SessionID, Quiz: at.QuizID, Number: at.Number, Status: "open",
		StartedAt: at.StartedAt.UTC(), Deadline: at.Deadline.UTC(), GraceSeconds: at.GraceSeconds, ServerTime: now, ContentHash: at.ContentHash,
		Questions: publicQuestions(qs), Answers: answers, Language: at.Language}
	if c != nil {
		v.Language = languageOf(at, c.Language)
		if m := c.Module(at.QuizID); m != nil && m.Quiz != nil {
			v.QuizTitle = m.Quiz.In(v.Language).Title
		}
	}
	return v
}

// Get returns an attempt's state, finalising it first if its deadline has passed.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*View, error) {
	now := s.Now()
	at, ts, err := s.owned(s.db.Read(ctx), a, id, false, false)
	if err != nil {
		return nil, err
	}
	// Only an attempt past its deadline (and grace) needs the writer (to finalise it).
	if at.Finalised == "" && !now.Before(graceEnd(at.Deadline, at.GraceSeconds)) {
		if _, err := s.finaliseByID(ctx, id, byDeadline); err != nil {
			return nil, err
		}
		if at, ts, err = s.owned(s.db.Read(ctx), a, id, false, false); err != nil {
			return nil, err
		}
	}
	q := s.db.Read(ctx)
	// A submitted attempt's questions come from its row, not the cache: a regrade
	// or a re-entered paper sheet in another process may have rewritten them.
	// Open ones' too: the row is in hand, and the cache keeps only what saves
	// check (see Service.snapshots).
	qs, err := snapshotOf(at)
	if err != nil {
		return nil, err
	}
	saved, err := q.Answers(at.ID)
	if err != nil {
		return nil, err
	}
	plain, views, err := decodeAnswers(saved)
	if err != nil {
		return nil, err
	}
	c, _ := s.courses.Course(ts.CourseID) // nil when the library no longer has it
	v := openView(at, c, qs, views, now)
	if late, err := q.LateAnswers(at.ID, 0, ""); err != nil {
		return nil, err
	} else if len(late) > 0 {
		if v.LateAnswers, err = lateAnswers(late, at, qs); err != nil {
			return nil, err
		}
	}
	var qz *course.Quiz // nil when the course no longer has the quiz
	if c != nil {
		if m := c.Module(at.QuizID); m != nil && m.Quiz != nil {
			qz = m.Quiz
		}
	}
	if at.Finalised != "" {
		v.Status = "submitted"
		v.Result = &quiz.Result{Score: at.Score, MaxScore: at.MaxScore, Percent: at.Percent, Passed: at.Passed}
		quizClosed, err := q.QuizClosed(at.SessionID, at.QuizID)
		if err != nil {
			return nil, err
		}
		left := false
		if course.ReviewPolicy(at.Review) == course.ReviewAfterSubmit && !a.CanManageSession(ts.TrainerIDs()) {
			if left, err = s.attemptsLeft(q, at, qz); err != nil {
				return nil, err
			}
		}
		if reviewAllowed(a, at, ts, quizClosed, left) {
			v.Review = review(qs, plain)
		} else {
			v.ReviewNote = reviewNote(at.Review)
			if v.ReviewNote != "" {
				v.ReviewPolicy = at.Review
			}
		}
	}
	return v, nil
}

// reviewAllowed applies the quiz's review policy: the right answers reach an
// officer only after submission (after_submit) — and once no attempt is left to
// start, or the next one would be answered from the key —, after the session is
// closed (after_close, the default, so the first to finish cannot show the room),
// or never. The session's trainers always see them.
func reviewAllowed(a *auth.Actor, at *store.Attempt, ts *store.TrainingSession, quizClosed, attemptsLeft bool) bool {
	if a.CanManageSession(ts.TrainerIDs()) {
		return true
	}
	switch course.ReviewPolicy(at.Review) {
	case course.ReviewAfterSubmit:
		return at.Finalised != "" && (!attemptsLeft || quizClosed || ts.Status == store.SessionClosed)
	case course.ReviewAfterClose:
		return ts.Status == store.SessionClosed || quizClosed
	}
	return false
}

// attemptsLeft reports whether the attempt's owner may still answer the quiz:
// an attempt of theirs is open (a second one, or one reopened), or they may
// start another (the quiz's limit plus any granted). Either would be answered
// from this attempt's review in another tab.
func (s *Service) attemptsLeft(q store.Q, at *store.Attempt, qz *course.Quiz) (bool, error) {
	taken, err := q.Attempts(at.SessionID, at.QuizID, &at.UserID)
	if err != nil {
		return false, err
	}
	now := s.Now()
	for i := range taken {
		if taken[i].Finalised == "" && now.Before(taken[i].Deadline) {
			return true, nil
		}
	}
	if qz == nil {
		return false, nil
	}
	allowed, err := attemptLimit(q, qz, at.SessionID, at.UserID)
	return len(taken) < allowed, err
}

// attemptLimit is how many attempts an officer may make at a session's quiz:
// the quiz's limit plus any granted.
func attemptLimit(q store.Q, qz *course.Quiz, sessionID, userID int64) (int, error) {
	extra, err := q.ExtraAttempts(sessionID, userID, qz.ID)
	if err != nil {
		return 0, err
	}
	return qz.Attempts + extra, nil
}

func reviewNote(policy string) string {
	switch course.ReviewPolicy(policy) {
	case course.ReviewAfterSubmit:
		return "The right answers and explanations are shown once you have used all your attempts."
	case course.ReviewAfterClose:
		return "The right answers and explanations are shown when the trainer closes the quiz or the session."
	case course.ReviewNever:
		return "This quiz does not show the right answers."
	}
	return ""
}

func review(qs []quiz.Question, answers map[string]quiz.Answer) []ReviewItem {
	out := make([]ReviewItem, 0, len(qs))
	for _, q := range qs {
		earned := quiz.Score(q, answers[q.ID])
		item := ReviewItem{QuestionID: q.ID, Earned: math.Round(earned*100) / 100, Points: q.Points,
			Correct: earned >= float64(q.Points)-1e-9, ExplanationHTML: q.Explanation}
		switch q.Kind {
		case course.KindSingle, course.KindMultiple:
			for _, c := range q.Choices {
				if c.Correct {
					item.CorrectChoices = append(item.CorrectChoices, c.ID)
				}
			}
		case course.KindShort:
			item.Accepted = q.Accepted
		case course.KindNumeric:
			n, t := q.Number, q.Tolerance
			item.Number, item.Tolerance = &n, &t
		}
		out = append(out, item)
	}
	return out
}

// SaveInput is one autosave: the answer, and the client's sequence number.
type SaveInput struct {
	Choices []string `json:"choices"`
	Text    *string  `json:"text"`
	Number  *float64 `json:"number"`
	Seq     *int64   `json:"seq"`
	// AnsweredAt is when the officer gave the answer, by the page's clock
	// (synced to the server's): an answer that arrives after the deadline but
	// was given before it is kept as a late answer (late.go).
	AnsweredAt *time.Time `json:"answered_at"`
}

// Save stores one answer. It is idempotent, and a save with a sequence number not
// above the stored one is stale: it is acknowledged with the stored answer and
// changes nothing. After the deadline, nothing more counts: an answer stated
// before it is kept as a late answer (saveLate), anything else is refused.
//
// This is the hottest path of a quiz, so the write transaction holds only what
// decides the outcome (the attempt's state and the stored answer); the frozen
// questions, which never change, are read and validated before it, from a cache.
func (s *Service) Save(ctx context.Context, a *auth.Actor, id int64, questionID string, in SaveInput) (*SavedAnswer, error) {
	if a == nil {
		return nil, auth.Authorize(nil, auth.ActSessionRead)
	}
	qs, owner, err := s.questions(ctx, id)
	if err != nil {
		return nil, err
	}
	if owner != a.UserID {
		return nil, apperr.NotFound("attempt")
	}
	i := slices.IndexFunc(qs, func(x savedShape) bool { return x.id == questionID })
	if i < 0 {
		return nil, apperr.Invalid("question", "err.attempt.no_question", "Question", questionID)
	}
	ans, err := validAnswer(qs[i].question(), in)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	now := s.Now()
	if in.Seq != nil {
		// The hot path: one guarded statement, no transaction around it.
		rec := &store.AttemptAnswer{AttemptID: id, QuestionID: questionID, Answer: data, Seq: *in.Seq}
		ok, err := s.db.SaveAnswerIfNewer(ctx, rec, now)
		if err != nil {
			return nil, err
		}
		if ok {
			s.countSave("saved")
			return &SavedAnswer{QuestionID: questionID, Answer: ans, Seq: rec.Seq, Revision: rec.Revision, SavedAt: now.UTC(), Status: StatusSaved}, nil
		}
		// Not written: the attempt is closed, or the save is stale. Below says which.
	}
	var out *SavedAnswer
	var expired bool
	result := "" // what the metrics count: saved, stale, or refused (closed, late)
	err = s.db.Tx(ctx, func(q store.Q) error {
		st, err := q.AttemptStateForUpdate(id)
		if err != nil {
			return err
		}
		if st.Finalised != "" || !now.Before(st.Deadline) {
			expired = st.Finalised == "" && !now.Before(graceEnd(st.Deadline, st.GraceSeconds))
			if out, err = s.saveLate(q, id, st, questionID, ans, data, in, now); err != nil {
				result = "refused"
				return err
			}
			result = out.Status
			return nil
		}
		old, err := q.Answer(id, questionID)
		if errors.Is(err, store.ErrNotFound) {
			old = &store.AttemptAnswer{}
		} else if err != nil {
			return err
		}
		seq := old.Seq + 1
		if in.Seq != nil {
			seq = *in.Seq
		}
		if old.Revision > 0 && seq <= old.Seq {
			result = "stale"
			out, err = savedView(*old) // stale or repeated: the stored answer stands
			return err
		}
		rec := &store.AttemptAnswer{AttemptID: id, QuestionID: questionID, Answer: data, Seq: seq, Revision: old.Revision + 1, SavedAt: now}
		if err := q.SaveAnswer(rec); err != nil {
			return err
		}
		result = "saved"
		out = &SavedAnswer{QuestionID: questionID, Answer: ans, Seq: seq, Revision: rec.Revision, SavedAt: now, Status: StatusSaved}
		return nil
	})
	if result == "refused" || (err == nil && result != "") {
		s.countSave(result)
	}
	if expired {
		if _, ferr := s.finaliseByID(ctx, id, byDeadline); ferr != nil {
			return nil, ferr
		}
	}
	return out, err
}

func (s *Service) countSave(result string) {
	if s.Metrics != nil {
		s.Metrics.Autosave(result)
	}
}

// questions returns what a save checks of an attempt's frozen questions
// (forSaving: ids, kinds, choice ids) and its owner. Both never change after
// the attempt starts, so they are cached.
func (s *Service) questions(ctx context.Context, id int64) ([]savedShape, int64, error) {
	if c, ok := s.snapshots.Get(id); ok {
		return c.questions, c.owner, nil
	}
	at, err := s.db.Read(ctx).Attempt(id, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, apperr.NotFound("attempt")
	} else if err != nil {
		return nil, 0, err
	}
	qs, err := snapshotOf(at)
	if err != nil {
		return nil, 0, err
	}
	kept := forSaving(qs)
	s.snapshots.Add(id, cachedSnapshot{questions: kept, owner: at.UserID})
	return kept, at.UserID, nil
}

func savedView(rec store.AttemptAnswer) (*SavedAnswer, error) {
	var a quiz.Answer
	if err := json.Unmarshal(rec.Answer, &a); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	return &SavedAnswer{QuestionID: rec.QuestionID, Answer: a, Seq: rec.Seq, Revision: rec.Revision, SavedAt: rec.SavedAt.UTC(), Status: StatusSaved}, nil
}

// validAnswer checks an answer's shape against its question's kind.
func validAnswer(q quiz.Question, in SaveInput) (quiz.Answer, error) {
	var ans quiz.Answer
	switch q.Kind {
	case course.KindSingle, course.KindMultiple:
		if in.Text != nil || in.Number != nil {
			return ans, apperr.Invalid("choices", "err.answer.takes_choices")
		}
		if q.Kind == course.KindSingle && len(in.Choices) > 1 {
			return ans, apperr.Invalid("choices", "err.answer.pick_one")
		}
		for _, id := range in.Choices {
			if !slices.ContainsFunc(q.Choices, func(c quiz.Choice) bool { return c.ID == id }) {
				return ans, apperr.Invalid("choices", "err.answer.unknown_choice", "Choice", id)
			}
		}
		ans.Choices = slices.Compact(slices.Sorted(slices.Values(in.Choices)))
		if ans.Choices == nil {
			ans.Choices = []string{}
		}
	case course.KindShort:
		if in.Choices != nil || in.Number != nil || in.Text == nil {
			return ans, apperr.Invalid("text", "err.answer.takes_text")
		}
		if utf8.RuneCountInString(*in.Text) > 500 || !utf8.ValidString(*in.Text) {
			return ans, apperr.Invalid("text", "err.answer.too_long")
		}
		t := strings.TrimSpace(*in.Text)
		ans.Text = &t
	case course.KindNumeric:
		if in.Choices != nil || in.Text != nil {
			return ans, apperr.Invalid("number", "err.answer.takes_number")
		}
		if in.Number != nil && (math.IsNaN(*in.Number) || math.IsInf(*in.Number, 0)) {
			return ans, apperr.Invalid("number", "err.answer.not_number")
		}
		ans.Number = in.Number
	}
	return ans, nil
}

// Submit finalises an attempt and returns its result; submitting again returns
// the same result.
func (s *Service) Submit(ctx context.Context, a *auth.Actor, id int64) (*quiz.Result, error) {
	var out *quiz.Result
	var reason store.Finalised // empty: it was already finalised
	err := s.db.Tx(ctx, func(q store.Q) error {
		at, ts, err := s.owned(q, a, id, true, true)
		if err != nil {
			return err
		}
		// The close submitted it (or, closed before closes did, left it open):
		// not the officer's submission to repeat. Their own stands.
		if ts.Status == store.SessionClosed && (at.Finalised == "" || at.Finalised == bySessionClose) {
			return errSessionClosed
		}
		if at.Finalised == "" {
			reason = bySubmit
			if !s.Now().Before(at.Deadline) {
				reason = byDeadline
			}
			if err := s.finalise(q, at, reason, s.Now()); err != nil {
				return err
			}
		}
		out = &quiz.Result{Score: at.Score, MaxScore: at.MaxScore, Percent: at.Percent, Passed: at.Passed}
		return nil
	})
	if err == nil && reason != "" && s.Metrics != nil {
		s.Metrics.AttemptFinalised(string(reason))
	}
	return out, err
}

// scoredAnswers is what scoring an attempt needs: its frozen questions and the
// answers saved for it (finalising, regrading).
func scoredAnswers(q store.Q, at *store.Attempt) ([]quiz.Question, map[string]quiz.Answer, error) {
	qs, err := snapshotOf(at)
	if err != nil {
		return nil, nil, err
	}
	saved, err := q.Answers(at.ID)
	if err != nil {
		return nil, nil, err
	}
	plain, _, err := decodeAnswers(saved)
	return qs, plain, err
}

// score sets an attempt's result from its frozen questions and saved answers
// (finalising it, or counting late answers after it), and stores its item
// scores (the caller saves the attempt in the same transaction).
func score(q store.Q, at *store.Attempt) (quiz.Result, error) {
	qs, plain, err := scoredAnswers(q, at)
	if err != nil {
		return quiz.Result{}, err
	}
	if err := q.SetItemScores(at.ID, itemScores(qs, plain)); err != nil {
		return quiz.Result{}, err
	}
	r := quiz.Total(qs, plain, at.PassMark)
	at.Score, at.MaxScore, at.Percent, at.Passed = r.Score, r.MaxScore, r.Percent, r.Passed
	return r, nil
}

// resultOf is an attempt's stored result.
func resultOf(at *store.Attempt) quiz.Result {
	return quiz.Result{Score: at.Score, MaxScore: at.MaxScore, Percent: at.Percent, Passed: at.Passed}
}

// finalise scores an attempt with what was saved and closes it.
func (s *Service) finalise(q store.Q, at *store.Attempt, reason store.Finalised, now time.Time) error {
	r, err := score(q, at)
	if err != nil {
		return err
	}
	at.Finalised, at.FinalisedAt = reason, &now
	if err := q.SaveAttempt(at); err != nil {
		return err
	}
	// No save will be stored any more: the entry only held memory. (Should the
	// transaction roll back, the next save reads it again.)
	s.snapshots.Remove(at.ID)
	s.log.Info("attempt finalised", "attempt_id", at.ID, "reason", reason, "percent", r.Percent)
	return nil
}

func (s *Service) finaliseByID(ctx context.Context, id int64, reason store.Finalised) (bool, error) {
	done := false
	err := s.db.Tx(ctx, func(q store.Q) error {
		at, err := q.Attempt(id, true)
		if err != nil || at.Finalised != "" {
			return err
		}
		done = true
		return s.finalise(q, at, reason, s.Now())
	})
	if err == nil && done && s.Metrics != nil {
		s.Metrics.AttemptFinalised(string(reason))
	}
	return done, err
}

// FinaliseOverdue closes every open attempt whose deadline has passed: the
// periodic sweep, for officers who never come back.
func (s *Service) FinaliseOverdue(ctx context.Context) error { return s.finaliseOverdue(ctx, nil) }

// FinaliseOverdueIn does the same for one session, before its results or quizzes
// are read, so a page view does not scan every session's attempts (a close submits
// every open attempt itself: SubmitOpenIn).
func (s *Service) FinaliseOverdueIn(ctx context.Context, sessionID int64) error {
	return s.finaliseOverdue(ctx, &sessionID)
}

func (s *Service) finaliseOverdue(ctx context.Context, sessionID *int64) error {
	overdue, err := s.db.Read(ctx).OverdueAttempts(s.Now(), 500, sessionID)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, at := range overdue {
		if now.Before(graceEnd(at.Deadline, at.GraceSeconds)) {
			continue // within the quiz's grace: answers stated in time still count
		}
		if _, err := s.finaliseByID(ctx, at.ID, byDeadline); err != nil {
			return err
		}
	}
	return nil
}

// Sweep runs SweepOnce every interval until ctx ends, after scoring the
// items of attempts finalised before item scores were kept. Processes sharing
// a database take turns: each tick, one of them sweeps and the others skip
// (store.Exclusively). Were two to sweep at once anyway, each attempt would
// still be finalised once: finaliseByID locks the attempt's row and does
// nothing to one already finalised.
func (s *Service) Sweep(ctx context.Context, interval time.Duration) {
	var n int
	ran, err := s.db.Exclusively(ctx, store.LockAttemptSweep, func() (err error) {
		n, err = s.BackfillItemScores(ctx)
		return err
	})
	if err != nil && ctx.Err() == nil {
		s.log.Error("score items of earlier attempts", "err", err)
	} else if n > 0 {
		s.log.Info("scored items of earlier attempts", "attempts", n)
	} else if !ran {
		s.log.Info("another process is scoring items of earlier attempts")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("finalise overdue attempts", "err", err)
			}
		}
	}
}

// SweepOnce finalises overdue attempts (FinaliseOverdue) unless another
// process sharing the database is doing it now; it reports whether it did.
func (s *Service) SweepOnce(ctx context.Context) (bool, error) {
	return s.db.Exclusively(ctx, store.LockAttemptSweep, func() error { return s.FinaliseOverdue(ctx) })
}
