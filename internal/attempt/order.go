package attempt

import "github.com/lectern-platform/lectern/internal/course"

// withoutShuffle returns a copy of a quiz that keeps the file's order, so item
// analysis lists questions as the trainer wrote them.
func withoutShuffle(q *course.Quiz) *course.Quiz {
	c := *q
	c.Shuffle = false
	return &c
}
