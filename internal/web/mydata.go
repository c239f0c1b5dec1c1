package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// dataExport downloads the signed-in person's own data as one ZIP (GDPR Arts
// 15 and 20): /me/data.zip from the account page, /api/v1/me/data.zip.
func (s *Server) dataExport(c echo.Context) error {
	a := actor(c)
	var id int64
	if a != nil {
		id = a.UserID
	}
	return s.writeDataExport(c, id)
}

// userDataExport is the same for any user, by an admin answering their
// access request: /users/{id}/data.zip and its API twin. Anyone else gets the
// one rule's answer: a user they cannot see is not found, one they can see
// (a coordinator's officer) forbidden; their own id is their own export.
func (s *Server) userDataExport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.writeDataExport(c, id)
}

// writeDataExport checks and audits before the first byte, so a refusal has
// its status; the ZIP is then streamed.
func (s *Server) writeDataExport(c echo.Context, userID int64) error {
	ex, err := s.app.Exporter.Prepare(c.Request().Context(), actor(c), userID)
	if err != nil {
		return err
	}
	setAttachment(c, ex.FileName)
	c.Response().Header().Set(echo.HeaderContentType, "application/zip")
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().WriteHeader(http.StatusOK)
	// A long history with many certificates may outlast the write timeout.
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now().Add(5 * time.Minute))
	if err := s.app.Exporter.WriteZIP(c.Request().Context(), c.Response(), ex); err != nil {
		// The status line is sent: the truncated ZIP fails to open, and we log why.
		s.log.Error("personal data zip", "user_id", userID, "err", err)
	}
	return nil
}
