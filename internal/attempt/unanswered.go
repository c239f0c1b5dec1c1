package attempt

// Unanswered lists, in the attempt's order, the questions with no answer saved
// or an empty one (no choice, blank text, no number): what the officer is asked
// to confirm before submitting.
func (v *View) Unanswered() []string {
	var out []string
	for _, q := range v.Questions {
		if saved, ok := v.Answers[q.ID]; !ok || saved.Answer.Empty() {
			out = append(out, q.ID)
		}
	}
	return out
}
