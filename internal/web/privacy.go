package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/privacy"
)

// privacyRow is one line of the notice's "what is kept" table: what, why
// (the catalogue's standard wording per category) and for how long (the
// configured period, in the reader's words).
type privacyRow struct{ What, Why, For string }

// privacyView is the notice: every fact in it comes from the privacy policy
// the server runs with, the same one the retention job applies.
type privacyView struct {
	Controller       privacy.Controller
	Rows             []privacyRow
	CertificateNames privacy.NameRule
}

// privacyShow is the notice officers accept when they activate their account.
func (s *Server) privacyShow(c echo.Context) error {
	l := s.localizer(c)
	p := s.app.Privacy
	v := privacyView{Controller: p.Controller, Rows: privacyRows(l, p), CertificateNames: p.CertificateNames}
	return s.render(c, http.StatusOK, "privacy.html", l.T("privacy.title"), v)
}

// privacyRows says, per kind of record, what is kept, why and for how long.
func privacyRows(l *i18n.Localizer, p privacy.Policy) []privacyRow {
	period := func(id string, v course.Validity) string {
		if v.IsZero() {
			return l.T("privacy.for_never")
		}
		return l.T(id, "Period", l.Period(v.Years, v.Months, v.Days))
	}
	return []privacyRow{
		{l.T("privacy.kept_account"), l.T("privacy.why_account"), l.T("privacy.for_account")},
		{l.T("privacy.kept_enrolments"), l.T("privacy.why_enrolments"), l.T("privacy.for_account")},
		{l.T("privacy.kept_answers"), l.T("privacy.why_answers"), period("privacy.for_answers", p.Answers)},
		{l.T("privacy.kept_results"), l.T("privacy.why_results"), l.T("privacy.for_results")},
		{l.T("privacy.kept_login_records"), l.T("privacy.why_login_records"), period("privacy.for_login_records", p.LoginRecords)},
		{l.T("privacy.kept_sent_emails"), l.T("privacy.why_sent_emails"), period("privacy.for_sent_emails", p.SentEmails)},
		{l.T("privacy.kept_audit"), l.T("privacy.why_audit"), period("privacy.for_audit", p.Audit)},
		{l.T("privacy.kept_tokens"), l.T("privacy.why_tokens"), period("privacy.for_tokens", p.ExpiredTokens)},
	}
}
