package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/schedule"
)

func (s *Server) apiCreateSession(c echo.Context) error {
	var in schedule.SessionInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.CreateSession(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) apiListSessions(c echo.Context) error {
	q := schedule.SessionQuery{Course: c.QueryParam("course"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		Status: c.QueryParam("status"), Mine: c.QueryParam("mine") == "true"}
	list, err := s.schedule.Sessions(c.Request().Context(), actor(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiGetSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.Session(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiUpdateSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in schedule.SessionInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.UpdateSession(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCancelSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.CancelSession(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiEnroll(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in schedule.EnrollmentInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, created, err := s.schedule.Enroll(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, out)
}

func (s *Server) apiListEnrollments(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.schedule.Enrollments(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiUnenroll(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := idParam(c, "user_id")
	if err != nil {
		return err
	}
	if err := s.schedule.Unenroll(c.Request().Context(), actor(c), id, userID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiUpdateEnrollment(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := idParam(c, "user_id")
	if err != nil {
		return err
	}
	var in struct {
		ExtraTimePercent *int `json:"extra_time_percent"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.ExtraTimePercent == nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "extra_time_percent is required")
	}
	out, err := s.schedule.SetExtraTime(c.Request().Context(), actor(c), id, userID, *in.ExtraTimePercent)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiListAttendance(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.schedule.Attendance(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiMarkAttendance(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := idParam(c, "user_id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.MarkAttendance(c.Request().Context(), actor(c), id, userID, in.Status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCheckinCode(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	out, err := s.schedule.CurrentCode(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCheckin(c echo.Context) error {
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
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiAudit(c echo.Context) error {
	var sessionID *int64
	if v := c.QueryParam("session_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "session_id must be a number")
		}
		sessionID = &id
	}
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	list, err := s.schedule.AuditEvents(c.Request().Context(), actor(c), sessionID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}
