package attempt

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/csvx"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// ResultRow is one enrolled officer's standing on one quiz: their latest attempt.
type ResultRow struct {
	UserID      int64      `json:"user_id"`
	Name        string     `json:"name"`
	LatinName   string     `json:"latin_name,omitempty"`
	Email       string     `json:"email"`
	AgencyID    *int64     `json:"agency_id"`
	Quiz        string     `json:"quiz"`
	Attempts    int        `json:"attempts"`
	Language    string     `json:"language,omitempty"` // the latest attempt's; none before one starts
	Status      string     `json:"status"`             // not_started | in_progress | submitted
	Score       float64    `json:"score"`
	MaxScore    float64    `json:"max_score"`
	Percent     float64    `json:"percent"`
	Passed      bool       `json:"passed"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	OnPaper     bool       `json:"on_paper,omitempty"` // entered by the trainer from a paper sheet
	// Erased: the officer's personal data was erased (privacy.Eraser); Name
	// is empty, and the row keeps counting.
	Erased bool `json:"erased,omitempty"`
}

// Results lists every enrolled officer × quiz: everything for the session's
// trainers and admins, the agency's officers for a coordinator. Quizzes are
// titled in lang where they have that translation.
func (s *Service) Results(ctx context.Context, a *auth.Actor, sessionID int64, lang string) ([]ResultRow, []QuizInfo, error) {
	if err := s.FinaliseOverdueIn(ctx, sessionID); err != nil {
		return nil, nil, err
	}
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionRead, false)
	if err != nil {
		return nil, nil, err
	}
	scope, ok := a.SessionScope(ts.TrainerIDs())
	if !ok {
		return nil, nil, apperr.Forbidden("err.results.forbidden")
	}
	enrolments, err := q.Enrollments(sessionID, scope)
	if err != nil {
		return nil, nil, err
	}
	attempts, err := q.Attempts(sessionID, "", nil)
	if err != nil {
		return nil, nil, err
	}
	latest := map[string]*store.Attempt{}
	count := map[string]int{}
	for i := range attempts {
		k := fmt.Sprintf("%d/%s", attempts[i].UserID, attempts[i].QuizID)
		latest[k] = &attempts[i] // ordered by number: the last one wins
		count[k]++
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, nil, apperr.NotFound("course")
	}
	var quizzes []QuizInfo
	for _, m := range c.Modules {
		if m.Quiz != nil {
			quizzes = append(quizzes, quizInfo(m, lang))
		}
	}
	var rows []ResultRow
	for _, e := range enrolments {
		if e.Status != store.Enrolled || e.User == nil {
			continue
		}
		for _, qi := range quizzes {
			k := fmt.Sprintf("%d/%s", e.UserID, qi.ID)
			row := ResultRow{UserID: e.UserID, Name: e.User.Name, LatinName: e.User.LatinName, Email: e.User.Email,
				AgencyID: e.User.AgencyID, Quiz: qi.ID, Attempts: count[k], Status: "not_started", Erased: e.User.ErasedAt != nil}
			if at := latest[k]; at != nil {
				row.Status, row.Language = "in_progress", languageOf(at, c.Language)
				if at.Finalised != "" {
					row.Status = "submitted"
					row.Score, row.MaxScore, row.Percent, row.Passed = at.Score, at.MaxScore, at.Percent, at.Passed
					row.SubmittedAt = at.FinalisedAt
					row.OnPaper = at.EnteredBy != nil
				}
			}
			rows = append(rows, row)
		}
	}
	return rows, quizzes, nil
}

// WriteResultsCSV writes the results as a UTF-8 CSV with a BOM, cells escaped
// against formula injection. erasedName stands in the name column for an
// officer whose data was erased ("Erased user" in the reader's language).
func (s *Service) WriteResultsCSV(ctx context.Context, a *auth.Actor, sessionID int64, w io.Writer, erasedName string) error {
	rows, _, err := s.Results(ctx, a, sessionID, "")
	if err != nil {
		return err
	}
	cw, err := csvx.NewWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write([]string{"name", "latin_name", "email", "agency_id", "quiz", "attempts", "status", "score", "max_score", "percent", "passed", "submitted_at", "language"}); err != nil {
		return err
	}
	for _, r := range rows {
		agency, submitted := "", ""
		if r.AgencyID != nil {
			agency = strconv.FormatInt(*r.AgencyID, 10)
		}
		if r.SubmittedAt != nil {
			submitted = r.SubmittedAt.UTC().Format(time.RFC3339)
		}
		name := r.Name
		if r.Erased {
			name = erasedName
		}
		rec := []string{name, r.LatinName, r.Email, agency, r.Quiz, strconv.Itoa(r.Attempts), r.Status,
			strconv.FormatFloat(r.Score, 'f', -1, 64), strconv.FormatFloat(r.MaxScore, 'f', -1, 64),
			strconv.FormatFloat(r.Percent, 'f', -1, 64), strconv.FormatBool(r.Passed), submitted, r.Language}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// ItemView is one question's statistics with its prompt, for the trainer.
type ItemView struct {
	quiz.ItemStats
	Number     int           `json:"number"`
	PromptHTML template.HTML `json:"prompt_html"`
}

// Analysis is a quiz's item analysis over the officers' latest submitted attempts.
type Analysis struct {
	Quiz      string     `json:"quiz"`
	Title     string     `json:"title"`
	Submitted int        `json:"submitted"`
	Mean      float64    `json:"mean_percent"`
	Items     []ItemView `json:"items"`
}

// Analyse computes facility and discrimination (the session's trainers and admins).
func (s *Service) Analyse(ctx context.Context, a *auth.Actor, sessionID int64, quizID string) (*Analysis, error) {
	if err := s.FinaliseOverdueIn(ctx, sessionID); err != nil {
		return nil, err
	}
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionManage, false)
	if err != nil {
		return nil, err
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, apperr.NotFound("course")
	}
	m := c.Module(quizID)
	if m == nil || m.Quiz == nil {
		return nil, apperr.NotFound("quiz")
	}
	attempts, err := q.Attempts(sessionID, quizID, nil)
	if err != nil {
		return nil, err
	}
	latest := map[int64]*store.Attempt{}
	for i := range attempts {
		if attempts[i].Finalised != "" {
			latest[attempts[i].UserID] = &attempts[i]
		}
	}
	current := quiz.Snapshot(withoutShuffle(m.Quiz), 0)
	out := &Analysis{Quiz: quizID, Title: m.Quiz.Title, Submitted: len(latest)}
	var scored []quiz.Scored
	for _, at := range latest {
		qs, err := snapshotOf(at)
		if err != nil {
			return nil, err
		}
		saved, err := q.Answers(at.ID)
		if err != nil {
			return nil, err
		}
		plain, _, err := decodeAnswers(saved)
		if err != nil {
			return nil, err
		}
		scored = append(scored, itemScores(qs, plain))
		out.Mean += at.Percent
	}
	if len(latest) > 0 {
		out.Mean = float64(int(out.Mean/float64(len(latest))*100+0.5)) / 100
	}
	for i, st := range quiz.Analyse(current, scored) {
		out.Items = append(out.Items, ItemView{ItemStats: st, Number: i + 1, PromptHTML: current[i].PromptHTML})
	}
	return out, nil
}
