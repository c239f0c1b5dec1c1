package reporttest

import "github.com/lectern-platform/lectern/internal/course"

// Library is the plan's courses for the report service: the shipped library
// (when given: crypto-crime) and the plan's second course, aml-basics, which
// no shipped library has.
type Library struct {
	Shipped interface {
		Course(id string) (*course.Course, bool)
	}
}

var amlBasics = &course.Course{ID: "aml-basics", Title: "AML basics for investigators", Modules: []*course.Module{
	{ID: "01-fatf", Title: "The FATF standards", Quiz: &course.Quiz{ID: "01-fatf", Title: "FATF standards"}},
	{ID: "02-cdd", Title: "Customer due diligence", Quiz: &course.Quiz{ID: "02-cdd", Title: "Customer due diligence"}},
}}

// Course is one course of the library.
func (l Library) Course(id string) (*course.Course, bool) {
	if id == amlBasics.ID {
		return amlBasics, true
	}
	if l.Shipped == nil {
		return nil, false
	}
	return l.Shipped.Course(id)
}

// Titles names courses and quizzes as a report service over l does.
func (l Library) Titles() Titles {
	return Titles{
		Course: func(id string) string {
			if c, ok := l.Course(id); ok {
				return c.Title
			}
			return ""
		},
		Quiz: func(courseID, quizID string) string {
			if c, ok := l.Course(courseID); ok {
				if m := c.Module(quizID); m != nil && m.Quiz != nil {
					return m.Quiz.Title
				}
			}
			return ""
		},
	}
}
