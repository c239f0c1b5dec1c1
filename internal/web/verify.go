package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// verifyShow answers anyone holding a certificate, signed in or not:
// /verify/{serial}.json for machines, /verify/{serial} for people (the QR code).
func (s *Server) verifyShow(c echo.Context) error {
	serial, asJSON := strings.CutSuffix(c.Param("serial"), ".json")
	pub, err := s.certs.Verify(c.Request().Context(), serial)
	if err != nil {
		return err
	}
	if asJSON {
		return c.JSON(http.StatusOK, pub)
	}
	return s.render(c, http.StatusOK, "verify.html", s.localizer(c).T("verify.title"), verifyView{Public: pub})
}
