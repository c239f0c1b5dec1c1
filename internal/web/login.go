package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

type loginView struct {
	Email string
	Next  string
	Error string
	Idle  bool // signed out after a while without activity
	// Pending, set after a right password for an account with a second factor,
	// turns the form into the code form.
	Pending string
	// Keep carries the "my own device" choice through the code form.
	Keep bool
	// BusySeconds, set when the sign-in was refused only because the server
	// is busy hashing other people's passwords, is its Retry-After: the page
	// says so (Error), and its script resends the sign-in when it has counted
	// that down (static/js/login.js).
	BusySeconds int
}

func (s *Server) loginShow(c echo.Context) error {
	if actor(c) != nil {
		return c.Redirect(http.StatusSeeOther, localPath(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login.html", s.localizer(c).T("login.title"), loginView{Next: c.QueryParam("next"), Idle: c.QueryParam("idle") == "1"})
}

func (s *Server) loginCreate(c echo.Context) error {
	l := s.localizer(c)
	in := s.credentials(c)
	in.Email, in.Password = c.FormValue("email"), c.FormValue("password")
	next := localPath(c.FormValue("next"))
	token, u, err := s.accounts.Login(c.Request().Context(), in)
	var second *auth.SecondStepNeeded
	if errors.As(err, &second) {
		return s.render(c, http.StatusOK, "login.html", l.T("login.title"), loginView{Next: next, Pending: second.Token, Keep: in.Keep})
	}
	if err != nil {
		return s.loginRefused(c, err, loginView{Email: in.Email, Next: next, Keep: in.Keep, Error: l.T("login.failed")})
	}
	s.setSessionCookie(c, token)
	if err := s.rememberDevice(c, u); err != nil {
		return err
	}
	s.adoptLanguage(c, u)
	return c.Redirect(http.StatusSeeOther, next)
}

// loginRefused shows the sign-in form (or the code form) again with view's
// error, or the throttle's: 429 with Retry-After.
func (s *Server) loginRefused(c echo.Context, err error, view loginView) error {
	de, ok := apperr.As(err)
	if !ok {
		return err
	}
	l := s.localizer(c)
	status := http.StatusUnauthorized
	seconds := int(de.RetryAfter.Seconds() + 0.5)
	switch {
	case auth.IsBusy(err):
		// Nothing wrong with this sign-in: it was not checked. Without
		// JavaScript the person sends it again; with it, the sign-in page
		// that sent it by script counts down and resends it (login.js). No
		// meta refresh: it could only reload the page, not resend the
		// password, which is not in it.
		status = http.StatusTooManyRequests
		view.BusySeconds = max(1, seconds)
		view.Error = l.T("login.busy", "Seconds", view.BusySeconds)
		c.Response().Header().Set("Retry-After", strconv.Itoa(view.BusySeconds))
	case de.Code == apperr.CodeTooMany:
		status = http.StatusTooManyRequests
		// Whole minutes, rounded up (15 m is "15", not "16"; 30 s is "1"),
		// and the same number picks the plural form.
		minutes := max(1, int(math.Ceil(de.RetryAfter.Minutes())))
		view.Error = l.T("login.throttled", "Minutes", minutes, "Count", minutes)
		c.Response().Header().Set("Retry-After", strconv.Itoa(seconds))
	}
	return s.render(c, status, "login.html", l.T("login.title"), view)
}

func (s *Server) loginDelete(c echo.Context) error {
	if token, ok := c.Get("token").(string); ok {
		if err := s.accounts.Logout(c.Request().Context(), token); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	// The quiz page's offline copy (the service worker's cache) must not outlive
	// the sign-in on a shared device: the sign-in page this lands on empties it
	// (static/js/signedout.js), and prunes the quiz journals, keeping only the
	// answers the server has not acknowledged. Not Clear-Site-Data: "storage"
	// would wipe those answers too, which exist nowhere else, and "cache" would
	// add nothing (it is the HTTP cache; pages are no-store).
	if c.FormValue("idle") == "1" {
		return c.Redirect(http.StatusSeeOther, "/login?idle=1")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// loginCodeCheck is the second step of a browser sign-in: the code.
func (s *Server) loginCodeCheck(c echo.Context) error {
	l := s.localizer(c)
	next := localPath(c.FormValue("next"))
	token, u, err := s.accounts.SecondStep(c.Request().Context(), c.FormValue("pending"), c.FormValue("totp"), s.credentials(c))
	if err == nil {
		s.setSessionCookie(c, token)
		if err := s.rememberDevice(c, u); err != nil {
			return err
		}
		s.adoptLanguage(c, u)
		return c.Redirect(http.StatusSeeOther, next)
	}
	if errors.Is(err, auth.ErrTokenUnknown) || errors.Is(err, auth.ErrTokenUsed) || errors.Is(err, auth.ErrTokenExpired) {
		return s.render(c, http.StatusUnauthorized, "login.html", l.T("login.title"), loginView{Next: next, Error: l.T("login.code_expired")})
	}
	de, ok := apperr.As(err)
	if !ok {
		return err
	}
	return s.loginRefused(c, err, loginView{Next: next, Pending: c.FormValue("pending"), Keep: c.FormValue("keep") == "on", Error: de.In(s.localizer(c))})
}

type loginResponse struct {
	Token string     `json:"token"`
	User  *auth.User `json:"user"`
}

func (s *Server) loginCreateAPI(c echo.Context) error {
	var in auth.Credentials
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	in.ClientIP, in.UserAgent, in.Kind = c.RealIP(), c.Request().UserAgent(), auth.KindAPI
	token, u, err := s.accounts.Login(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: token, User: u})
}

func (s *Server) loginDeleteAPI(c echo.Context) error {
	token, _ := c.Get("token").(string)
	if err := auth.Authorize(actor(c), auth.ActCourseRead); err != nil {
		return err
	}
	if err := s.accounts.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
