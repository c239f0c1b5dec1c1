package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/lectern-platform/lectern/internal/auth"
)

// Onboarding: an invited officer activates their account from the e-mailed or
// printed link (or types the code from the slip); anyone who forgot their password
// asks for a reset link. Both sign the person in at the end.

// tokenView is what the activation and reset pages show: whose link it is, the
// form's errors, or why the link no longer works.
type tokenView struct {
	formView
	Token  string
	Name   string
	Broken string // why the link cannot be used; the form is not shown
	Sent   bool   // reset request: the neutral "if the address exists…" answer
}

func (s *Server) credentials(c echo.Context) auth.Credentials {
	// keep: the sign-in and activation forms' "this is my own device" box.
	return auth.Credentials{ClientIP: c.RealIP(), UserAgent: c.Request().UserAgent(), Kind: auth.KindBrowser, Device: deviceOf(c),
		Keep: c.FormValue("keep") == "on"}
}

// tokenProblem turns a token error into the sentence the page shows.
func (s *Server) tokenProblem(c echo.Context, err error) (string, bool) {
	l := s.localizer(c)
	switch {
	case errors.Is(err, auth.ErrTokenUnknown):
		return l.T("token.unknown"), true
	case errors.Is(err, auth.ErrTokenUsed):
		return l.T("token.used"), true
	case errors.Is(err, auth.ErrTokenExpired):
		return l.T("token.expired"), true
	}
	return "", false
}

// activationCodeShow asks for the code printed on a sign-in slip.
func (s *Server) activationCodeShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "activate.html", s.localizer(c).T("activate.title"), tokenView{})
}

func (s *Server) activationCodeCheck(c echo.Context) error {
	code := auth.NormalizeToken(c.FormValue("code"))
	if len(code) != 16 {
		v := tokenView{formView: formView{Errors: map[string]string{"code": s.localizer(c).T("token.unknown")}, Values: map[string]string{"code": c.FormValue("code")}}}
		return s.render(c, http.StatusUnprocessableEntity, "activate.html", s.localizer(c).T("activate.title"), v)
	}
	return c.Redirect(http.StatusSeeOther, "/activate/"+code)
}

func (s *Server) activationShow(c echo.Context) error {
	return s.tokenPage(c, auth.PurposeInvite, "activate.html", "activate.title")
}

func (s *Server) resetShow(c echo.Context) error {
	return s.tokenPage(c, auth.PurposeReset, "reset.html", "reset.title")
}

func (s *Server) tokenPage(c echo.Context, purpose, tmpl, title string) error {
	token := auth.NormalizeToken(c.Param("token"))
	v := tokenView{Token: token}
	status := http.StatusOK
	u, err := s.accounts.CheckToken(c.Request().Context(), token, purpose)
	if msg, ok := s.tokenProblem(c, err); ok {
		v.Broken, status = msg, http.StatusNotFound
		if !errors.Is(err, auth.ErrTokenUnknown) {
			status = http.StatusGone
		}
	} else if err != nil {
		return err
	} else {
		v.Name = u.Name
	}
	return s.render(c, status, tmpl, s.localizer(c).T(title), v)
}

func (s *Server) activationComplete(c echo.Context) error {
	token := auth.NormalizeToken(c.Param("token"))
	if v, bad := s.passwordsDiffer(c, token); bad {
		return s.render(c, http.StatusUnprocessableEntity, "activate.html", s.localizer(c).T("activate.title"), v)
	}
	session, u, err := s.accounts.Activate(c.Request().Context(), token, c.FormValue("password"), c.FormValue("accept_privacy") == "on", s.credentials(c))
	if err == nil && u != nil {
		s.recordLanguage(c, u.ID)
		s.adoptLanguage(c, u)
	}
	return s.finishToken(c, session, err, token, "activate.html", "activate.title")
}

func (s *Server) resetComplete(c echo.Context) error {
	token := auth.NormalizeToken(c.Param("token"))
	if v, bad := s.passwordsDiffer(c, token); bad {
		return s.render(c, http.StatusUnprocessableEntity, "reset.html", s.localizer(c).T("reset.title"), v)
	}
	session, _, err := s.accounts.ResetPassword(c.Request().Context(), token, c.FormValue("password"), s.credentials(c))
	return s.finishToken(c, session, err, token, "reset.html", "reset.title")
}

// passwordsDiffer catches a mistyped confirmation before anything is checked.
func (s *Server) passwordsDiffer(c echo.Context, token string) (tokenView, bool) {
	if c.FormValue("password") == c.FormValue("password_again") {
		return tokenView{}, false
	}
	return tokenView{Token: token, formView: formView{Errors: map[string]string{"password_again": s.localizer(c).T("password.mismatch")}}}, true
}

// finishToken signs the person in after a used link (or shows the code form to
// an account with a second factor), or shows why it failed.
func (s *Server) finishToken(c echo.Context, session string, err error, token, tmpl, title string) error {
	if err == nil {
		s.setSessionCookie(c, session)
		return c.Redirect(http.StatusSeeOther, "/")
	}
	var second *auth.SecondStepNeeded
	if errors.As(err, &second) { // the password is set; the code signs in
		return s.render(c, http.StatusOK, "login.html", s.localizer(c).T("login.title"), loginView{Next: "/", Pending: second.Token})
	}
	v := tokenView{Token: token}
	if msg, ok := s.tokenProblem(c, err); ok {
		v.Broken = msg
		return s.render(c, http.StatusGone, tmpl, s.localizer(c).T(title), v)
	}
	errs, ok := s.formErrors(c, err)
	if !ok {
		return err
	}
	v.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, tmpl, s.localizer(c).T(title), v)
}

// resetRequestShow asks for the e-mail address of the account.
func (s *Server) resetRequestShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "reset_request.html", s.localizer(c).T("reset.title"), tokenView{})
}

// resetRequestCreate answers the same whether or not the address has an account.
func (s *Server) resetRequestCreate(c echo.Context) error {
	if err := s.accounts.RequestReset(c.Request().Context(), c.FormValue("email"), c.RealIP()); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "reset_request.html", s.localizer(c).T("reset.title"), tokenView{Sent: true})
}

// recordLanguage keeps the browser's first language (e.g. "fr-CA", not the
// catalogue it was matched to, so e-mail follows a translation added later) as
// the one the user's e-mail is written in, the first time it is known. A failure
// only costs the language: it is logged, and the caller's action stands.
func (s *Server) recordLanguage(c echo.Context, userID int64) {
	tags, _, err := language.ParseAcceptLanguage(c.Request().Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 || tags[0] == language.Und {
		return
	}
	lang := tags[0].String()
	if err := s.accounts.RecordLanguage(c.Request().Context(), userID, lang); err != nil {
		s.log.Warn("record the user's language", "user_id", userID, "lang", lang, "err", err)
	}
}
