package web

import (
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
)

// libraryCourse loads the shipped course without a server.
func (*testServer) libraryCourse(tb testing.TB) (*course.Course, course.Problems) {
	c, probs := course.Load(courses.FS, "crypto-crime", "courses/crypto-crime")
	if c == nil {
		tb.Fatal("shipped course did not load")
	}
	return c, probs
}
