package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/schedule"
)

// attendanceView is the trainer's sheet: one row per enrolled officer, one tap
// per status.
type attendanceView struct {
	Session  *schedule.Session
	Rows     []*schedule.AttendanceRow
	Statuses []string
	Counts   map[string]int
}

func (s *Server) attendanceList(c echo.Context) error {
	a, ctx, id, err := sessionScope(c)
	if err != nil {
		return err
	}
	ses, err := s.schedule.ManagedSession(ctx, a, id)
	if err != nil {
		return err
	}
	rows, err := s.schedule.Attendance(ctx, a, id)
	if err != nil {
		return err
	}
	v := attendanceView{Session: ses, Rows: rows, Statuses: schedule.AttendanceStatuses, Counts: map[string]int{}}
	for _, r := range rows {
		v.Counts[string(r.Status)]++
	}
	return s.render(c, http.StatusOK, "attendance.html", s.localizer(c).T("attendance.title"), v)
}

func (s *Server) attendanceMark(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user_id")
	if err != nil {
		return err
	}
	if _, err := s.schedule.MarkAttendance(c.Request().Context(), actor(c), id, userID, c.FormValue("status")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/attendance#u%d", id, userID))
}

func (s *Server) attendanceListAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.schedule.Attendance(c.Request().Context(), actor(c), id)
	return jsonOrError(c, http.StatusOK, list, err)
}

func (s *Server) attendanceMarkAPI(c echo.Context) error {
	id, userID, err := idParams(c, "id", "user_id")
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
	return jsonOrError(c, http.StatusOK, out, err)
}
