package web

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
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

func (s *Server) securityShow(c echo.Context) error {
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
	if errs, ok := s.formErrors(c, err); ok {
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
	if errs, ok := s.formErrors(c, err); ok {
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
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: errs}})
	} else if de, ok := apperr.As(err); ok && de.Code == apperr.CodeUnauthorized {
		return s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{formView: formView{Errors: map[string]string{"code": de.In(s.localizer(c))}}})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/security")
}
