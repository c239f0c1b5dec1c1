package attempt

import (
	"context"
	"fmt"

	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// itemScores is each question's share of its points in one attempt: what a
// session's item analysis reads, and what score and keepItemScores store for
// the programme report's facility (store.ItemScore), so the two agree.
func itemScores(qs []quiz.Question, answers map[string]quiz.Answer) quiz.Scored {
	sc := quiz.Scored{}
	for _, x := range qs {
		if x.Points > 0 {
			sc[x.ID] = quiz.Score(x, answers[x.ID]) / float64(x.Points)
		}
	}
	return sc
}

// keepItemScores stores a finalised attempt's item scores, from its frozen
// questions and saved answers, in the transaction that scored it. An attempt
// entered from paper as a total only has no answers, so no item scores (it
// would read as every question wrong in the programme's facility); entering
// a total over a previous paper entry clears that one's.
func keepItemScores(q store.Q, at *store.Attempt) error {
	if at.Finalised == byPaperScore {
		return q.SetItemScores(at.ID, nil)
	}
	qs, plain, err := scoredAnswers(q, at)
	if err != nil {
		return err
	}
	return q.SetItemScores(at.ID, itemScores(qs, plain))
}

// BackfillItemScores stores the item scores of attempts finalised before
// they were kept (a database from before issue 22), a batch per transaction,
// and returns how many it scored. Scoring again gives the same scores, so two
// processes doing it at once agree.
func (s *Service) BackfillItemScores(ctx context.Context) (int, error) {
	const batch = 200
	var after int64
	done := 0
	for {
		list, err := s.db.Read(ctx).UnscoredAttempts(after, batch)
		if err != nil {
			return done, err
		}
		if len(list) == 0 {
			return done, nil
		}
		err = s.db.Tx(ctx, func(q store.Q) error {
			for i := range list {
				if err := keepItemScores(q, &list[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("score items of attempts after %d: %w", after, err)
		}
		done += len(list)
		after = list[len(list)-1].ID
	}
}
