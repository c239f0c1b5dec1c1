package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/certify"
)

func (s *Server) certificateListAPI(c echo.Context) error {
	var f certify.Filter
	for name, dst := range map[string]**int64{"session_id": &f.SessionID, "agency_id": &f.AgencyID, "user_id": &f.UserID} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return apperr.Invalid(name, "err.field.not_number")
			}
			*dst = &n
		}
	}
	list, err := s.certs.List(c.Request().Context(), actor(c), f)
	return jsonOrError(c, http.StatusOK, list, err)
}

// certificateShowAPI answers /certificates/{serial} (JSON) and /{serial}.pdf.
func (s *Server) certificateShowAPI(c echo.Context) error {
	serial, asPDF := strings.CutSuffix(c.Param("serial"), ".pdf")
	if asPDF {
		var doc bytes.Buffer
		cert, err := s.certs.PDF(c.Request().Context(), actor(c), serial, &doc)
		if err != nil {
			return err
		}
		setAttachment(c, certify.FileName(cert, "", ""))
		return c.Blob(http.StatusOK, "application/pdf", doc.Bytes())
	}
	cert, err := s.certs.Get(c.Request().Context(), actor(c), serial)
	return jsonOrError(c, http.StatusOK, cert, err)
}

// certificateExportAPI streams a session's certificates (the coordinator's agency's
// only) with results.csv beside them. Everything that can refuse the request is
// checked before the first byte; the PDFs are then rendered in parallel and
// written in order (certify.WriteZIP), and rendering stops if the client leaves.
func (s *Server) certificateExportAPI(c echo.Context) error {
	a, ctx, id, err := sessionScope(c)
	if err != nil {
		return err
	}
	ex, err := s.certs.PrepareExport(ctx, a, id)
	if err != nil {
		return err
	}
	var results bytes.Buffer
	if err := s.attempts.WriteResultsCSV(ctx, a, id, &results, s.localizer(c).T("user.erased")); err != nil {
		return err
	}
	extras := []certify.ExtraFile{{Name: "results.csv", Write: func(w io.Writer) error { _, err := w.Write(results.Bytes()); return err }}}
	s.streamZIP(c, fmt.Sprintf("session-%d-certificates.zip", id), ex, extras, "session_id", id)
	return nil
}

// streamZIP sends an export prepared (and so allowed) already as a ZIP named
// name; logAttrs say whose it is in the log should it fail half-way.
func (s *Server) streamZIP(c echo.Context, name string, ex *certify.Export, extras []certify.ExtraFile, logAttrs ...any) {
	setAttachment(c, name)
	c.Response().Header().Set(echo.HeaderContentType, "application/zip")
	c.Response().WriteHeader(http.StatusOK)
	// A thousand certificates take longer than the server's write timeout: the
	// deadline slides forward while certificates keep flowing.
	rc := http.NewResponseController(c.Response().Writer)
	progress := func(done, total int) { _ = rc.SetWriteDeadline(time.Now().Add(time.Minute)) }
	if err := s.certs.WriteZIP(c.Request().Context(), c.Response(), ex, extras, progress); err != nil {
		// The status line is sent: the truncated ZIP fails to open, and we log why.
		s.log.Error("certificates zip", append(logAttrs, "err", err)...)
	}
}

func (s *Server) certificateRevokeAPI(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	cert, err := s.certs.Revoke(c.Request().Context(), actor(c), c.Param("serial"), in.Reason)
	return jsonOrError(c, http.StatusOK, cert, err)
}

// certificateRevoke withdraws a certificate from the session page's table (the
// session's trainers and admins), with a reason; the serial must be this
// session's.
func (s *Server) certificateRevoke(c echo.Context) error {
	a, serial := actor(c), c.Param("serial")
	return s.sessionAction(c, func(id int64) error {
		cert, err := s.certs.Get(c.Request().Context(), a, serial)
		if err != nil {
			return err
		}
		if cert.SessionID != id {
			return apperr.NotFound("certificate")
		}
		_, err = s.certs.Revoke(c.Request().Context(), a, serial, c.FormValue("reason"))
		return err
	}, "session.revoked_msg")
}
