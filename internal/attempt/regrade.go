package attempt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// RegradeRow is one submitted attempt before and after a regrade.
type RegradeRow struct {
	AttemptID int64       `json:"attempt_id"`
	Number    int         `json:"number"` // the officer's attempt number
	UserID    int64       `json:"user_id"`
	Name      string      `json:"name"`
	Before    quiz.Result `json:"before"`
	After     quiz.Result `json:"after"`
	// Change is "now_passes", "now_fails", "score" (same verdict, other score) or "".
	Change string `json:"change"`
	// Certificate is the serial of the officer's valid certificate for the
	// session, if the day was closed already: one who now fails keeps it until
	// a trainer revokes it, so the preview names it.
	Certificate string `json:"certificate,omitempty"`
}

// Regrade is a preview (or the applied result) of scoring a quiz's submitted
// attempts in a session again, against the quiz as it is now in the course.
type Regrade struct {
	Quiz    string `json:"quiz"`
	Version string `json:"version"` // the course version scored against
	// ContentHash is the quiz's version applied, its translations included
	// (course.Quiz.VersionHash): confirm with it. Attempts still pin the course
	// language's file's hash (course.Quiz.Hash).
	ContentHash string       `json:"content_hash"`
	Applied     bool         `json:"applied"`
	Questions   []KeyChange  `json:"questions"` // what the new version marks differently
	Rows        []RegradeRow `json:"rows"`
	NowPass     int          `json:"now_pass"`
	NowFail     int          `json:"now_fail"`
	Changed     int          `json:"changed"`
	// Open counts attempts still in progress whose key the chosen version
	// changes (given it when applied): they are scored with it when they end.
	Open int `json:"open_rekeyed"`
}

// KeyChange is a question the new version marks differently from what some
// submitted attempt was scored with.
type KeyChange struct {
	Number     int      `json:"number"` // its place in the quiz file, from 1
	QuestionID string   `json:"question_id"`
	Title      string   `json:"title"`
	Changes    []string `json:"changes"` // quiz.KeyChanges: key, points, dropped, restored
}

// RegradeInput chooses what a regrade scores against and whether to apply it.
type RegradeInput struct {
	// Version is the course's content hash to regrade against: a stored earlier
	// version (the fix made it worse) or, empty, the version served now.
	Version string `json:"version"`
	// Confirm is the quiz's content hash from the preview; empty only previews.
	Confirm string `json:"confirm"`
	Reason  string `json:"reason"`
}

// RegradeQuiz recomputes the scores of a session's submitted attempts at a quiz
// from their stored answers, with the answer keys, points and dropped questions
// of a chosen version of the quiz: the one served now (a trainer fixed the
// Markdown), or a stored earlier one. Without Confirm it only previews
// (PreviewRegrade); with it, it applies (ApplyRegrade).
func (s *Service) RegradeQuiz(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, in RegradeInput) (*Regrade, error) {
	if in.Confirm == "" {
		return s.PreviewRegrade(ctx, a, sessionID, quizID, in.Version)
	}
	return s.ApplyRegrade(ctx, a, sessionID, quizID, in)
}

// PreviewRegrade says what regrading against version (a course content hash;
// empty: the version served now) would change, writing nothing. Its
// ContentHash is what ApplyRegrade is confirmed with.
func (s *Service) PreviewRegrade(ctx context.Context, a *auth.Actor, sessionID int64, quizID, version string) (*Regrade, error) {
	qz, version, err := s.regradeTarget(ctx, a, sessionID, quizID, version)
	if err != nil {
		return nil, err
	}
	plan, err := planRegrade(s.db.Read(ctx), sessionID, quizID, version, qz)
	if err != nil {
		return nil, err
	}
	return plan.out, nil
}

// ApplyRegrade applies a previewed regrade. The caller passes the quiz's
// content hash the preview showed (Confirm): if the chosen version changed
// since, nothing is applied (409), so what was previewed is exactly what is
// applied. It needs a reason; it stores the new key in each attempt (the
// officer's review shows it) and audits every change, with which questions
// changed and why — all in one transaction.
func (s *Service) ApplyRegrade(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, in RegradeInput) (*Regrade, error) {
	qz, version, err := s.regradeTarget(ctx, a, sessionID, quizID, in.Version)
	if err != nil {
		return nil, err
	}
	if in.Confirm != qz.VersionHash() { // its translations too: their accepted answers score
		return nil, apperr.Conflict("err.regrade.quiz_changed")
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, apperr.Invalid("reason", "err.regrade.reason")
	}
	var out *Regrade
	var regraded []int64
	err = s.db.Tx(ctx, func(q store.Q) error {
		// Planned again inside the transaction: the preview's attempts may have
		// been submitted or entered since, and what is written must be what the
		// attempts hold now, scored with the key confirmed.
		plan, err := planRegrade(q, sessionID, quizID, version, qz)
		if err != nil {
			return err
		}
		out = plan.out
		if regraded, err = s.applyRegrade(q, a, sessionID, quizID, version, qz.Hash, reason, plan); err != nil {
			return err
		}
		return announceRekeyed(q, regraded)
	})
	if err != nil {
		return nil, err
	}
	for _, id := range regraded {
		s.snapshots.Remove(id) // an open one's new key; a submitted one's is read from its row, this frees the stale entry
	}
	out.Applied = true
	s.log.Info("quiz regraded", "session_id", sessionID, "quiz", quizID, "attempts", len(out.Rows), "changed", out.Changed, "by", a.UserID)
	return out, nil
}

// regradeTarget is the quiz a regrade scores against, and the course version
// it comes from: version if given and not the one served now (a stored
// earlier one), else the one served now.
func (s *Service) regradeTarget(ctx context.Context, a *auth.Actor, sessionID int64, quizID, version string) (*course.Quiz, string, error) {
	ts, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, "", err
	}
	if version == "" || version == c.Hash {
		return qz, c.Hash, nil
	}
	if qz, err = s.storedQuiz(ctx, ts.CourseID, version, quizID); err != nil {
		return nil, "", err
	}
	return qz, version, nil
}

// regradePlan is a regrade worked out from the attempts as they are: the
// preview, and what applying it writes to each attempt, in the attempts' order.
type regradePlan struct {
	out     *Regrade
	steps   []regradeStep
	changed map[string]map[string]bool // question id → what changed
}

// regradeStep is one attempt's part: its questions with the chosen key, and,
// for a submitted one, its row of the preview (nil: still being answered).
type regradeStep struct {
	at      *store.Attempt
	rekeyed []quiz.Question
	row     *RegradeRow
}

// note records how the rekeyed questions differ from an attempt's.
func (p *regradePlan) note(qs, rekeyed []quiz.Question) (differs bool) {
	for j := range qs {
		for _, what := range quiz.KeyChanges(qs[j], rekeyed[j]) {
			if p.changed[qs[j].ID] == nil {
				p.changed[qs[j].ID] = map[string]bool{}
			}
			p.changed[qs[j].ID][what] = true
			differs = true
		}
	}
	return differs
}

// planRegrade scores a session's attempts at a quiz again with qz, from their
// stored answers, and writes nothing.
func planRegrade(q store.Q, sessionID int64, quizID, version string, qz *course.Quiz) (*regradePlan, error) {
	plan := &regradePlan{out: &Regrade{Quiz: quizID, Version: version, ContentHash: qz.VersionHash(), Questions: []KeyChange{}}, changed: map[string]map[string]bool{}}
	out := plan.out
	attempts, err := q.Attempts(sessionID, quizID, nil)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var ids []int64
	for _, at := range attempts {
		ids = append(ids, at.UserID)
	}
	users, err := q.UsersByIDs(ids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	certs, err := q.Certificates(store.CertificateFilter{SessionID: &sessionID})
	if err != nil {
		return nil, err
	}
	serials := map[int64]string{}
	for _, c := range certs {
		if c.Status == store.CertificateValid {
			serials[c.UserID] = c.Serial
		}
	}
	for i := range attempts {
		at := &attempts[i]
		if at.Finalised == byPaperScore {
			continue // only a score on paper: nothing to score again
		}
		if at.Finalised == "" {
			// Still being answered: nothing to score yet, but it must end
			// scored with the chosen key, so applying gives it that key now.
			qs, err := snapshotOf(at)
			if err != nil {
				return nil, err
			}
			rekeyed := quiz.Rekey(qs, qz.In(at.Language)) // its own language's words and accepted answers
			if !plan.note(qs, rekeyed) {
				continue
			}
			plan.steps = append(plan.steps, regradeStep{at: at, rekeyed: rekeyed})
			out.Open++
			continue
		}
		qs, plain, err := scoredAnswers(q, at)
		if err != nil {
			return nil, err
		}
		rekeyed := quiz.Rekey(qs, qz.In(at.Language)) // its own language's words and accepted answers
		plan.note(qs, rekeyed)
		row := RegradeRow{AttemptID: at.ID, Number: at.Number, UserID: at.UserID, Name: names[at.UserID], Certificate: serials[at.UserID],
			Before: resultOf(at), After: quiz.Total(rekeyed, plain, at.PassMark)}
		row.Change = scoreChange(row.Before, row.After)
		switch row.Change {
		case "now_passes":
			out.NowPass++
		case "now_fails":
			out.NowFail++
		}
		if row.Change != "" {
			out.Changed++
		}
		out.Rows = append(out.Rows, row)
		plan.steps = append(plan.steps, regradeStep{at: at, rekeyed: rekeyed, row: &row})
	}
	out.Questions = keyChanges(qz, plan.changed)
	return plan, nil
}

// applyRegrade writes a plan made in the same transaction: each attempt's new
// key and score, an audit event per changed result and one for the regrade.
// It returns the attempts written.
func (s *Service) applyRegrade(q store.Q, a *auth.Actor, sessionID int64, quizID, version, contentHash, reason string, plan *regradePlan) ([]int64, error) {
	out := plan.out
	var regraded []int64
	for _, st := range plan.steps {
		at := st.at
		if st.row == nil {
			ok, err := rekeyOpen(q, at, st.rekeyed, contentHash)
			if err != nil {
				return nil, err
			}
			if !ok {
				out.Open-- // submitted a moment ago: scored as it was
				continue
			}
			regraded = append(regraded, at.ID)
			continue
		}
		row := st.row
		data, err := json.Marshal(st.rekeyed)
		if err != nil {
			return nil, fmt.Errorf("encode regraded questions: %w", err)
		}
		at.Questions, at.ContentHash = data, contentHash
		at.Score, at.MaxScore, at.Percent, at.Passed = row.After.Score, row.After.MaxScore, row.After.Percent, row.After.Passed
		if err := q.SaveAttempt(at); err != nil {
			return nil, err
		}
		if err := keepItemScores(q, at); err != nil {
			return nil, err
		}
		regraded = append(regraded, at.ID)
		if row.Change == "" {
			continue
		}
		if err := s.auditException(q, a, "attempt.regrade", sessionID, at.UserID,
			map[string]any{"attempt": at.ID, "quiz": quizID, "score": row.Before.Score, "percent": row.Before.Percent, "passed": row.Before.Passed},
			map[string]any{"attempt": at.ID, "quiz": quizID, "score": row.After.Score, "percent": row.After.Percent, "passed": row.After.Passed, "content_hash": contentHash, "reason": reason}); err != nil {
			return nil, err
		}
	}
	questions := map[string][]string{}
	for _, kc := range out.Questions {
		questions[kc.QuestionID] = kc.Changes
	}
	summary, err := json.Marshal(map[string]any{"quiz": quizID, "course_version": version, "content_hash": contentHash, "attempts": len(out.Rows),
		"changed": out.Changed, "now_pass": out.NowPass, "now_fail": out.NowFail, "open_rekeyed": out.Open, "questions": questions, "reason": reason})
	if err != nil {
		return nil, fmt.Errorf("encode regrade summary: %w", err)
	}
	actor := a.UserID
	return regraded, q.Audit(&store.AuditEvent{At: s.Now(), ActorID: &actor, Action: "quiz.regrade", SessionID: &sessionID, After: string(summary)})
}

// scoreChange names how a result changed: "now_passes", "now_fails", "score"
// (same verdict, other score) or "".
func scoreChange(before, after quiz.Result) string {
	switch {
	case !before.Passed && after.Passed:
		return "now_passes"
	case before.Passed && !after.Passed:
		return "now_fails"
	case before != after:
		return "score"
	}
	return ""
}

// keyChanges lists the changed questions in the quiz file's order.
func keyChanges(qz *course.Quiz, changed map[string]map[string]bool) []KeyChange {
	out := []KeyChange{}
	for i, src := range qz.Questions {
		what := changed[src.ID]
		if len(what) == 0 {
			continue
		}
		kc := KeyChange{Number: i + 1, QuestionID: src.ID, Title: src.Title()}
		for _, w := range []string{"key", "points", "dropped", "restored"} {
			if what[w] {
				kc.Changes = append(kc.Changes, w)
			}
		}
		out = append(out, kc)
	}
	return out
}

// storedQuiz loads a quiz from a stored version of a course.
func (s *Service) storedQuiz(ctx context.Context, courseID, version, quizID string) (*course.Quiz, error) {
	files, err := s.db.CourseVersionFiles(ctx, courseID, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Invalid("version", "err.regrade.no_version", "Version", version)
	} else if err != nil {
		return nil, err
	}
	c, probs := course.FromFiles(courseID, files)
	if len(probs) > 0 {
		return nil, apperr.Invalid("version", "err.regrade.version_broken", "Version", shortHash(version), "Problem", probs[0].Message)
	}
	m := c.Module(quizID)
	if m == nil || m.Quiz == nil {
		return nil, apperr.Invalid("version", "err.regrade.version_no_quiz", "Version", shortHash(version), "Quiz", quizID)
	}
	return m.Quiz, nil
}

// CourseVersions lists the stored versions of a session's course, newest first,
// for its trainers to choose one to regrade against.
func (s *Service) CourseVersions(ctx context.Context, a *auth.Actor, sessionID int64) ([]CourseVersion, error) {
	ts, err := s.managedSession(ctx, a, sessionID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.CourseVersions(ctx, ts.CourseID)
	if err != nil {
		return nil, err
	}
	out := make([]CourseVersion, len(rows))
	for i, r := range rows {
		out[i] = CourseVersion(r)
	}
	return out, nil
}

// CourseVersion names one stored version of a course, to regrade against.
type CourseVersion struct {
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"stored_at"`
}

// rekeyOpen stores an attempt in progress's questions with the chosen version's
// keys, points and dropped marks (its questions and order stay what the officer
// sees), so its submission — or its deadline, or the quiz's close — scores it
// with them.
func rekeyOpen(q store.Q, at *store.Attempt, rekeyed []quiz.Question, contentHash string) (bool, error) {
	data, err := json.Marshal(rekeyed)
	if err != nil {
		return false, fmt.Errorf("encode regraded questions: %w", err)
	}
	return q.RekeyOpenAttempt(at.ID, data, contentHash)
}

// shortHash is the first 12 characters of a course version, as people read it.
func shortHash(version string) string {
	if len(version) > 12 {
		return version[:12]
	}
	return version
}
