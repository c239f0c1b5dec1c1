package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/qrcode"
	"github.com/lectern-platform/lectern/internal/schedule"
)

type checkinView struct {
	Session *schedule.Session
	Code    string
	Error   string
	Done    *schedule.AttendanceRow
}

func (s *Server) checkinShow(c echo.Context) error {
	_, _, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "checkin.html", s.localizer(c).T("checkin.title"), checkinView{Session: ses, Code: c.QueryParam("code")})
}

func (s *Server) checkinCreate(c echo.Context) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	v := checkinView{Session: ses, Code: c.FormValue("code")}
	row, err := s.schedule.CheckIn(ctx, a, id, v.Code)
	status := http.StatusOK
	if de, ok := apperr.As(err); ok && de.Code != apperr.CodeNotFound {
		v.Error, status = s.userMessage(c, de), domainStatus[de.Code]
	} else if err != nil {
		return err
	}
	v.Done = row
	return s.render(c, status, "checkin.html", s.localizer(c).T("checkin.title"), v)
}

// projectorView is the room's screen: the code, its QR, and when it changes.
type projectorView struct {
	Session *schedule.Session
	Code    *schedule.CheckinCode
	Link    string
	Present int
	// ReloadSeconds is said on the screen: a room display may reload itself
	// (WCAG 2.2.1), but not unannounced.
	ReloadSeconds int
}

func (s *Server) projectorShow(c echo.Context) error {
	a, ctx, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	id := ses.ID
	code, err := s.schedule.CurrentCode(ctx, a, id)
	if err != nil {
		return err
	}
	rows, err := s.schedule.Attendance(ctx, a, id)
	if err != nil {
		return err
	}
	v := projectorView{Session: ses, Code: code, Link: s.checkinLink(id, code.Code), ReloadSeconds: int(schedule.CodeRotation.Seconds())}
	for _, r := range rows {
		if r.Attended() {
			v.Present++
		}
	}
	// Reload when the code changes; the page works without JavaScript.
	refresh := int(time.Until(code.ExpiresAt).Seconds()) + 1
	c.Set("refresh", max(refresh, 1))
	return s.render(c, http.StatusOK, "projector.html", s.localizer(c).T("projector.title"), v)
}

func (s *Server) checkinLink(id int64, code string) string {
	return fmt.Sprintf("%s/sessions/%d/checkin?code=%s", strings.TrimSuffix(s.cfg.BaseURL, "/"), id, code)
}

func (s *Server) checkinQRShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	code, err := s.schedule.CurrentCode(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	img, err := qrcode.PNG(s.checkinLink(id, code.Code), 512)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", img)
}

func (s *Server) checkinCodeShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.CurrentCode(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, out, err)
}

func (s *Server) checkinCreateAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.CheckIn(c.Request().Context(), actor(c), id, in.Code)
	return jsonOrError(c, http.StatusOK, out, err)
}
