package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

func (s *Server) apiCloseSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.certs.CloseSession(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"issued": n})
}

func (s *Server) apiListCertificates(c echo.Context) error {
	var f store.CertificateFilter
	for name, dst := range map[string]**int64{"session_id": &f.SessionID, "agency_id": &f.AgencyID, "user_id": &f.UserID} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return apperr.Invalid(name, "must be a number")
			}
			*dst = &n
		}
	}
	list, err := s.certs.List(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) apiGetCertificate(c echo.Context) error {
	cert, err := s.certs.Get(c.Request().Context(), actor(c), c.Param("serial"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cert)
}

func (s *Server) apiRevokeCertificate(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	cert, err := s.certs.Revoke(c.Request().Context(), actor(c), c.Param("serial"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cert)
}

// verifyPage answers anyone holding a certificate, signed in or not:
// /verify/{serial}.json for machines, /verify/{serial} for people (the QR code).
func (s *Server) verifyPage(c echo.Context) error {
	serial, asJSON := strings.CutSuffix(c.Param("serial"), ".json")
	pub, err := s.certs.Verify(c.Request().Context(), serial)
	if err != nil {
		return err
	}
	if asJSON {
		return c.JSON(http.StatusOK, pub)
	}
	return s.render(c, http.StatusOK, "verify.html", s.localizer(c).T("verify.title"), pub)
}
