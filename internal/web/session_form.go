package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
)

var sessionFormFields = []string{"course", "date", "start", "end", "timezone", "venue", "city", "country", "capacity", "trainer_ids", "agency_ids"}

type sessionFormView struct {
	formView
	Courses  []*course.Course
	Trainers []auth.User
}

func (s *Server) sessionNew(c echo.Context) error {
	return s.renderSessionForm(c, http.StatusOK, formView{Values: map[string]string{"start": "09:00", "end": "17:00", "timezone": "Europe/Paris", "capacity": "30"}})
}

func (s *Server) renderSessionForm(c echo.Context, status int, fv formView) error {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActSessionCreate); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := sessionFormView{formView: fv, Courses: s.library.Courses()}
	var err error
	if v.Agencies, err = s.accounts.Agencies(ctx, a); err != nil {
		return err
	}
	if a.Role == auth.RoleAdmin {
		if v.Trainers, err = s.accounts.Users(ctx, a, auth.UserQuery{Role: string(auth.RoleTrainer)}); err != nil {
			return err
		}
	}
	return s.render(c, status, "session_new.html", s.localizer(c).T("sessions.new"), v)
}

func (s *Server) sessionCreate(c echo.Context) error {
	vals := formValues(c, sessionFormFields...)
	in := schedule.SessionInput{Course: strp(vals["course"]), Date: strp(vals["date"]), Start: strp(vals["start"]),
		End: strp(vals["end"]), Timezone: strp(vals["timezone"]), Venue: strp(vals["venue"]), City: strp(vals["city"]),
		Country: strp(vals["country"])}
	if n, err := strconv.Atoi(vals["capacity"]); err == nil {
		in.Capacity = &n
	} else {
		in.Capacity = new(int) // reported as out of range
	}
	if ids := formIDs(c, "trainer_ids"); len(ids) > 0 {
		in.TrainerIDs = &ids
	}
	if ids := formIDs(c, "agency_ids"); len(ids) > 0 {
		in.AgencyIDs = &ids
	}
	ses, err := s.schedule.CreateSession(c.Request().Context(), actor(c), in)
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderSessionForm(c, http.StatusUnprocessableEntity, formView{Values: vals, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d", ses.ID))
}

func strp(s string) *string { return &s }

func formIDs(c echo.Context, name string) []int64 {
	form, _ := c.FormParams()
	var ids []int64
	for _, v := range form[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

func (s *Server) sessionCreateAPI(c echo.Context) error {
	var in schedule.SessionInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.CreateSession(c.Request().Context(), actor(c), in)
	return jsonOrError(c, http.StatusCreated, out, err)
}

func (s *Server) sessionUpdateAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in schedule.SessionInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.schedule.UpdateSession(c.Request().Context(), actor(c), id, in)
	return jsonOrError(c, http.StatusOK, out, err)
}
