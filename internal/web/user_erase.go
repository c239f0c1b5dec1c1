package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/privacy"
)

// eraseView is the erasure's confirmation page: what goes, what stays, and
// the form (reason, the user's address typed again).
type eraseView struct {
	*privacy.Preview
	Values map[string]string
	Errors map[string]string
}

// userEraseShow is the confirmation page of an erasure (admins).
func (s *Server) userEraseShow(c echo.Context) error {
	return s.renderErase(c, http.StatusOK, nil, nil)
}

func (s *Server) renderErase(c echo.Context, status int, vals, errs map[string]string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.app.Eraser.Preview(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return s.render(c, status, "user_erase.html", s.localizer(c).T("erase.title"), eraseView{Preview: p, Values: vals, Errors: errs})
}

// userErase erases from the confirmation form: the reason, and the user's
// e-mail address typed exactly, so a slip of the mouse erases nobody.
func (s *Server) userErase(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, ctx := actor(c), c.Request().Context()
	vals := formValues(c, "reason", "confirm")
	p, err := s.app.Eraser.Preview(ctx, a, id)
	if err != nil {
		return err
	}
	if p.User.ErasedAt == nil && !strings.EqualFold(vals["confirm"], p.User.Email) {
		err = apperr.Invalid("confirm", "err.user.erase_confirm")
	} else {
		_, err = s.app.Eraser.Erase(ctx, a, id, vals["reason"])
	}
	if errs, ok := s.formErrors(c, err); ok {
		de, _ := apperr.As(err)
		return s.renderErase(c, domainStatus[de.Code], vals, errs)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?erased=1")
}

// userEraseAPI: POST /api/v1/users/{id}/erase {"reason"}.
func (s *Server) userEraseAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.app.Eraser.Erase(c.Request().Context(), actor(c), id, in.Reason)
	return jsonOrError(c, http.StatusOK, out, err)
}
