package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/qrcode"
)

// securityView is the account security page: the second factor's state, the QR
// code while setting it up, and the recovery codes right after (shown once).
type securityView struct {
	formView
	Enabled, Pending bool
	CodesLeft        int64
	Secret           string
	QR               template.URL
	RecoveryCodes    []string
}

func (s *Server) securityPage(c echo.Context) error {
	return s.renderSecurity(c, http.StatusOK, securityView{})
}

func (s *Server) renderSecurity(c echo.Context, status int, v securityView) error {
	enabled, pending, left, err := s.accounts.TOTPStatus(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	v.Enabled, v.CodesLeft = enabled, left
	v.Pending = pending && v.Secret == "" && v.RecoveryCodes == nil
	return s.render(c, status, "security.html", s.localizer(c).T("security.title"), v)
}

func (s *Server) securityStart(c echo.Context) error {
	in := s.credentials(c)
	in.Password = c.FormValue("password")
	secret, url, err := s.accounts.StartTOTP(c.Request().Context(), actor(c), in)
	if errs, ok := formErrors(err); ok {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: errs}})
	} else if err != nil {
		return err
	}
	png, err := qrcode.PNG(url, 240)
	if err != nil {
		return err
	}
	return s.renderSecurity(c, http.StatusOK, securityView{Secret: secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
}

func (s *Server) securityConfirm(c echo.Context) error {
	codes, err := s.accounts.ConfirmTOTP(c.Request().Context(), actor(c), c.FormValue("code"))
	if errs, ok := formErrors(err); ok {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: errs}})
	} else if err != nil {
		return err
	}
	return s.renderSecurity(c, http.StatusOK, securityView{RecoveryCodes: codes})
}

func (s *Server) securityDisable(c echo.Context) error {
	a := actor(c)
	in := s.credentials(c)
	in.Password, in.TOTP = c.FormValue("password"), c.FormValue("code")
	err := s.accounts.DisableTOTP(c.Request().Context(), a, a.UserID, in)
	if errs, ok := formErrors(err); ok {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: errs}})
	} else if de, ok := apperr.As(err); ok && de.Code == apperr.CodeUnauthorized {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: map[string]string{"code": de.Message}}})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/security")
}

// apiDisableTOTP: an admin turns off the second factor of someone who lost their
// phone and their recovery codes; a user their own (with their password and a
// code).
func (s *Server) apiDisableTOTP(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	cred := auth.Credentials{TOTP: in.Code, Password: in.Password, ClientIP: c.RealIP(), Kind: auth.KindAPI}
	if err := s.accounts.DisableTOTP(c.Request().Context(), actor(c), id, cred); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// loginCodeSubmit is the second step of a browser sign-in: the code.
func (s *Server) loginCodeSubmit(c echo.Context) error {
	l := s.localizer(c)
	next := localPath(c.FormValue("next"))
	token, u, err := s.accounts.SecondStep(c.Request().Context(), c.FormValue("pending"), c.FormValue("totp"), s.credentials(c))
	if err == nil {
		s.setSessionCookie(c, token)
		if err := s.rememberDevice(c, u); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
	if errors.Is(err, auth.ErrTokenUnknown) || errors.Is(err, auth.ErrTokenUsed) || errors.Is(err, auth.ErrTokenExpired) {
		return s.render(c, http.StatusUnauthorized, "login.html", l.T("login.title"), loginView{Next: next, Error: l.T("login.code_expired")})
	}
	de, ok := apperr.As(err)
	if !ok {
		return err
	}
	return s.loginRefused(c, err, loginView{Next: next, Pending: c.FormValue("pending"), Error: de.Message})
}
