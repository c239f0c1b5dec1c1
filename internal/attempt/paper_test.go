package attempt

import (
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// A printed number given twice ("1" and "01", through the API) is two readings
// of one question: refused, not settled by map order.
func TestSheetAnswers_NumberGivenTwice(t *testing.T) {
	questions := []quiz.Question{{ID: "pick", Kind: course.KindSingle, Points: 1, Choices: []quiz.Choice{{ID: "a"}, {ID: "b", Correct: true}}}}
	for range 20 {
		got, err := sheetAnswers(questions, map[string]string{"1": "A", "01": "B"})
		de, ok := apperr.As(err)
		if !ok || de.Code != apperr.CodeInvalid || len(de.Details) != 1 || !strings.Contains(de.Details[0].Msg.String(), "twice") {
			t.Fatalf("question 1 marked A and B: %v, %v", got, err)
		}
	}
	if got, err := sheetAnswers(questions, map[string]string{" 1 ": "B"}); err != nil || got["pick"].Choices[0] != "b" {
		t.Errorf("question ' 1 ' marked B: %v, %v", got, err)
	}
}
