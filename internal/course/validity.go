package course

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Validity is how long a certificate stays valid, in calendar units, so "3y" from
// 29 February lands where a person expects and not 3×365 days later.
type Validity struct {
	Years, Months, Days int
}

// IsZero reports whether no validity was set (certificates do not expire).
func (v Validity) IsZero() bool { return v == Validity{} }

// AddTo returns t moved forward by the validity.
func (v Validity) AddTo(t time.Time) time.Time { return t.AddDate(v.Years, v.Months, v.Days) }

func (v Validity) String() string {
	var b strings.Builder
	if v.Years > 0 {
		fmt.Fprintf(&b, "%dy", v.Years)
	}
	if v.Months > 0 {
		fmt.Fprintf(&b, "%dmo", v.Months)
	}
	if v.Days > 0 {
		fmt.Fprintf(&b, "%dd", v.Days)
	}
	return b.String()
}

var validityPart = regexp.MustCompile(`(\d+)(y|mo|d|h)`)

// ParseValidity reads "3y", "18mo", "90d" or combinations such as "1y6mo". Hours
// ("720h", Go duration syntax) are accepted and rounded up to whole days.
func ParseValidity(s string) (Validity, error) {
	s = strings.TrimSpace(s)
	var v Validity
	if s == "" {
		return v, fmt.Errorf("empty validity")
	}
	tooBig := false
	rest := validityPart.ReplaceAllStringFunc(s, func(part string) string {
		m := validityPart.FindStringSubmatch(part)
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100000 {
			tooBig = true
			return ""
		}
		switch m[2] {
		case "y":
			v.Years += n
		case "mo":
			v.Months += n
		case "d":
			v.Days += n
		case "h":
			v.Days += (n + 23) / 24
		}
		return ""
	})
	if rest != "" || v.IsZero() {
		return Validity{}, fmt.Errorf("bad validity %q (use units y, mo, d, e.g. 3y or 18mo)", s)
	}
	// A certificate valid for more than a century is a typo, and larger numbers
	// would overflow the date arithmetic.
	if tooBig || v.Years > 100 || v.Months > 1200 || v.Days > 36600 || v.Years*12+v.Months+v.Days/28 > 1200 {
		return Validity{}, fmt.Errorf("validity %q is too long (at most 100 years)", s)
	}
	return v, nil
}
