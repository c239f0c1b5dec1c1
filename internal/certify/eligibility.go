package certify

import (
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// Evidence is what an officer did in a session.
type Evidence struct {
	Attendance store.AttendanceStatus // "" when unmarked
	Passed     map[string]bool        // quiz id → has a passed attempt
}

// Eligible applies a course's certificate rule: attendance present or late, and,
// when the course requires quizzes, a passed attempt at every one of them.
func Eligible(rule course.CertificateRule, quizzes []string, ev Evidence) bool {
	if rule.RequiresAttendance && !ev.Attendance.Attended() {
		return false
	}
	if rule.RequiresQuizzes {
		for _, q := range quizzes {
			if !ev.Passed[q] {
				return false
			}
		}
	}
	return true
}
