package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/lectern-platform/lectern/internal/schedule"
)

// WriteLogins prints the demo accounts as a table. The name comes last: a name
// in a wide (Hangul) or right-to-left (Hebrew) script would shift every column
// after it in a terminal.
func WriteLogins(w io.Writer, logins []Login) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tAGENCY\tE-MAIL\tPASSWORD\tNAME")
	for _, l := range logins {
		pw := l.Password
		if pw == "" {
			pw = "(yours, set at first start)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Role, dash(l.Country), l.Email, pw, l.Name)
	}
	tw.Flush()
}

// WriteSummary prints what Seed made, with links, and the logins.
func WriteSummary(w io.Writer, res *Result, baseURL string) {
	base := strings.TrimRight(baseURL, "/")
	fmt.Fprintf(w, "\nDemo data seeded — do not use for real training records.\n\n")
	fmt.Fprintf(w, "  Today:     %s\n             %s/sessions/%d\n", describe(res.Today), base, res.Today.ID)
	fmt.Fprintf(w, "  Last week: %s — closed, %d certificates issued\n             %s/sessions/%d\n\n", describe(res.Past), res.Certificates, base, res.Past.ID)
	WriteLogins(w, res.Logins)
	fmt.Fprintf(w, "\nSign in at %s/login — the sign-in page lists these accounts too.\n", base)
	if len(res.Logins) > 0 {
		fmt.Fprintf(w, "Try the day as an officer with %s: check in with the code on the trainer's projector page, then take a quiz.\n\n", firstOfficer(res.Logins))
	}
}

// WriteAgain prints the logins of a demo seeded at an earlier start.
func WriteAgain(w io.Writer, logins []Login, baseURL string) {
	fmt.Fprintf(w, "\nDemo mode: this database holds the demo seeded at an earlier start (it is not seeded again).\nTo start the demo afresh, stop the server and use a new --data directory.\n\n")
	WriteLogins(w, logins)
	fmt.Fprintf(w, "\nSign in at %s/login\n\n", strings.TrimRight(baseURL, "/"))
}

func describe(s *schedule.Session) string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf("%s — %s, %s %s–%s (%s, UTC%s)", s.CourseTitle, s.City, s.Date, s.Start, s.End, s.Timezone, s.UTCOffset)
}

func firstOfficer(logins []Login) string {
	for _, l := range logins {
		if l.Role == "officer" {
			return l.Email
		}
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
