package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// recertificationView is the confirmation before a session is offered to the
// officers due for recertification in its course: exactly who, and how many.
type recertificationView struct {
	Session  *schedule.Session
	Officers []schedule.DueOfficer
	Agencies map[int64]string
}

// recertificationShow lists the officers the session would be offered to.
func (s *Server) recertificationShow(c echo.Context) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	due, err := s.schedule.DueForSession(ctx, a, ses.ID)
	if err != nil {
		return err
	}
	agencies, err := s.agencyNames(ctx, a)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "recertification.html", s.localizer(c).T("recert.title"),
		recertificationView{Session: ses, Officers: due, Agencies: agencies})
}

// recertificationCreate enrols the officers the confirmation listed (its
// user_id fields) who are still due, and returns to the session page saying
// how many got a seat and how many a place on the waitlist.
func (s *Server) recertificationCreate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	ids := []int64{} // none listed: no one, not everyone
	for _, v := range form["user_id"] {
		uid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.Invalid("user_id", "err.field.not_number")
		}
		ids = append(ids, uid)
	}
	offer, err := s.schedule.OfferRecertification(c.Request().Context(), actor(c), id, ids)
	if err != nil {
		if de, ok := refusal(err, apperr.CodeConflict, apperr.CodeInvalid, apperr.CodeForbidden); ok {
			return s.renderSession(c, domainStatus[de.Code], s.userMessage(c, de))
		}
		return err
	}
	msg := s.localizer(c).T("recert.offered", "Enrolled", offer.Enrolled, "Waitlisted", offer.Waitlisted)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d?msg=%s", id, url.QueryEscape(msg)))
}

// recertificationShowAPI is the list recertificationShow confirms.
func (s *Server) recertificationShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	due, err := s.schedule.DueForSession(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, map[string]any{"officers": due}, err)
}

// recertificationCreateAPI enrols the officers due: all of them, or those of
// the body's user_ids; no body at all is {} (all of them).
func (s *Server) recertificationCreateAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []int64 `json:"user_ids"`
	}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	offer, err := s.schedule.OfferRecertification(c.Request().Context(), actor(c), id, in.UserIDs)
	return jsonOrError(c, http.StatusOK, offer, err)
}
