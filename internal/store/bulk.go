package store

import "fmt"

// Insert adds many rows of one model (a slice of Attempt, Enrollment, …) in
// batches of a few hundred statements' worth, filling in their ids: for
// seeding a whole programme at once (internal/report/reporttest, the report
// benchmark), where one INSERT per row would take minutes.
func (q Q) Insert(rows any) error {
	if err := q.g.CreateInBatches(rows, 400).Error; err != nil {
		return fmt.Errorf("insert %T: %w", rows, translate(err))
	}
	return nil
}
