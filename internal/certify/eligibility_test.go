package certify

import (
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
)

func TestEligible(t *testing.T) {
	both := course.CertificateRule{RequiresAttendance: true, RequiresQuizzes: true}
	attendanceOnly := course.CertificateRule{RequiresAttendance: true}
	quizzes := []string{"q1", "q2"}
	all := map[string]bool{"q1": true, "q2": true}
	half := map[string]bool{"q1": true}
	tests := []struct {
		name string
		rule course.CertificateRule
		ev   Evidence
		want bool
	}{
		{"present, all passed", both, Evidence{"present", all}, true},
		{"late counts as attended", both, Evidence{"late", all}, true},
		{"absent", both, Evidence{"absent", all}, false},
		{"excused is not attendance", both, Evidence{"excused", all}, false},
		{"unmarked", both, Evidence{"", all}, false},
		{"one quiz failed", both, Evidence{"present", half}, false},
		{"no quiz passed", both, Evidence{"present", nil}, false},
		{"attendance only: quizzes do not matter", attendanceOnly, Evidence{"present", nil}, true},
		{"attendance only: absent", attendanceOnly, Evidence{"absent", all}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Eligible(tt.rule, quizzes, tt.ev); got != tt.want {
				t.Errorf("Eligible = %v, want %v", got, tt.want)
			}
		})
	}
}
