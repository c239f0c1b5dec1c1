package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// Filter restricts a report; zero fields do not filter. From and To are
// session dates (YYYY-MM-DD, both included).
type Filter struct {
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Country  string `json:"country,omitempty"` // the agency's ISO 3166-1 alpha-2 code
	AgencyID *int64 `json:"agency,omitempty"`
	CourseID string `json:"course,omitempty"`
}

// Params are a filter as a client writes it: the query parameters from, to,
// country, agency and course.
type Params struct {
	From, To, Country, Agency, Course string
}

// Params names, as the API spells them; a field error's Field is one of them.
const (
	ParamFrom    = "from"
	ParamTo      = "to"
	ParamCountry = "country"
	ParamAgency  = "agency"
	ParamCourse  = "course"
)

// ParseFilter checks a client's parameters: each bad one is a field error
// named after its parameter (every problem at once), nothing else is looked up.
// Whether the agency and course exist, and are the actor's to see, is the
// service's question.
func ParseFilter(p Params) (Filter, error) {
	var f Filter
	var errs apperr.Fields
	date := func(param, v string) string {
		v = strings.TrimSpace(v)
		if v == "" {
			return ""
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			errs.Add(param, "err.field.date")
			return ""
		}
		return v
	}
	f.From, f.To = date(ParamFrom, p.From), date(ParamTo, p.To)
	if f.From != "" && f.To != "" && f.From > f.To {
		errs.Add(ParamFrom, "err.report.from_after_to", "To", f.To)
	}
	if v := strings.TrimSpace(p.Country); v != "" {
		var cf apperr.Fields
		code := auth.CheckCountry(&cf, ParamCountry, v)
		errs = append(errs, cf...)
		if len(cf) == 0 {
			f.Country = code
		}
	}
	if v := strings.TrimSpace(p.Agency); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs.Add(ParamAgency, "err.field.positive_number")
		} else {
			f.AgencyID = &id
		}
	}
	f.CourseID = strings.TrimSpace(p.Course)
	return f, errs.Err()
}
