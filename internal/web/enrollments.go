package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
)

func (s *Server) enrollmentCreate(c echo.Context) error {
	a := actor(c)
	return s.sessionAction(c, func(id int64) error {
		if a == nil {
			return auth.Authorize(nil, auth.ActEnrollSelf)
		}
		_, _, err := s.schedule.Enroll(c.Request().Context(), a, id, schedule.EnrollmentInput{UserID: a.UserID})
		return err
	}, "session.enrolled_msg")
}

func (s *Server) enrollmentDelete(c echo.Context) error {
	a := actor(c)
	return s.sessionAction(c, func(id int64) error {
		if a == nil {
			return auth.Authorize(nil, auth.ActEnrollSelf)
		}
		return s.schedule.Unenroll(c.Request().Context(), a, id, a.UserID)
	}, "session.unenrolled_msg")
}

func (s *Server) enrollmentCreateAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in schedule.EnrollmentInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, created, err := s.schedule.Enroll(c.Request().Context(), actor(c), id, in)
	return jsonOrError(c, createdOrOK(created), out, err)
}

func (s *Server) enrollmentListAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.schedule.Enrollments(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) enrollmentDeleteAPI(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user_id")
	if err != nil {
		return err
	}
	if err := s.schedule.Unenroll(c.Request().Context(), actor(c), id, userID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) enrollmentUpdateAPI(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user_id")
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
		return echo.NewHTTPError(http.StatusUnprocessableEntity, apperr.Message("err.http.field_required", "Field", "extra_time_percent"))
	}
	out, err := s.schedule.SetExtraTime(c.Request().Context(), actor(c), id, userID, *in.ExtraTimePercent)
	return jsonOrError(c, http.StatusOK, out, err)
}
