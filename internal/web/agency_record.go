package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/sheet"
)

// agencyRecordView is the record page: the record as filtered, and the
// filter's choices.
type agencyRecordView struct {
	Record   *certify.Record
	Filter   certify.RecordFilter
	Statuses []string
	// WindowDays is certify.ExpiringWindow in days, for the page's wording.
	WindowDays int
	// Query is the filter as a query string ("?course=…"), for the CSV link.
	Query string
}

// recordFilter reads the record's filter from the query string; the reader's
// language orders the officers.
func (s *Server) recordFilter(c echo.Context) certify.RecordFilter {
	return certify.RecordFilter{Course: c.QueryParam("course"), Status: c.QueryParam("status"), Lang: s.localizer(c).Lang}
}

// agencyRecordShow is an agency's record (its coordinators and the admins):
// every officer with every certificate across sessions and years.
func (s *Server) agencyRecordShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := s.recordFilter(c)
	rec, err := s.certs.Record(c.Request().Context(), actor(c), id, f)
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"course": f.Course, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	v := agencyRecordView{Record: rec, Filter: f, Statuses: certify.RecordStatuses(),
		WindowDays: int(certify.ExpiringWindow.Hours() / 24)}
	if len(q) > 0 {
		v.Query = "?" + q.Encode()
	}
	return s.render(c, http.StatusOK, "agency_record.html", s.localizer(c).T("record.title"), v)
}

func (s *Server) agencyRecordShowAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rec, err := s.certs.Record(c.Request().Context(), actor(c), id, s.recordFilter(c))
	return jsonOrError(c, http.StatusOK, rec, err)
}

// agencyRecordExportAPI is the record, filtered as asked, as CSV
// (record.csv) or XLSX (record.xlsx), with the page's columns.
func (s *Server) agencyRecordExportAPI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rec, err := s.certs.Record(c.Request().Context(), actor(c), id, s.recordFilter(c))
	if err != nil {
		return err
	}
	format := sheet.CSV
	if strings.HasSuffix(c.Path(), ".xlsx") {
		format = sheet.XLSX
	}
	setAttachment(c, fmt.Sprintf("agency-%d-record.%s", id, format))
	c.Response().Header().Set(echo.HeaderContentType, format.ContentType())
	c.Response().WriteHeader(http.StatusOK)
	if err := sheet.Write(c.Response(), format, recordTable(rec, s.localizer(c))); err != nil {
		// The status line is sent: the truncated file fails to open, and we log why.
		s.log.Error("agency record export", "agency_id", id, "format", format, "err", err)
	}
	return nil
}

// recordTable is the record as a table: one row per certificate, and one with
// the certificate's cells empty for an officer holding none; headers, statuses
// and the due mark in the reader's language, dates as dates.
func recordTable(rec *certify.Record, l *i18n.Localizer) sheet.Table {
	cols := []sheet.Column{{Header: l.T("field.name_short")}, {Header: l.T("record.col_latin_name")}, {Header: l.T("field.id"), Kind: sheet.Int},
		{Header: l.T("record.col_course_id")}, {Header: l.T("field.course")}, {Header: l.T("verify.date"), Kind: sheet.Date},
		{Header: l.T("field.city")}, {Header: l.T("field.country")}, {Header: l.T("verify.serial")}, {Header: l.T("certificates.status")},
		{Header: l.T("record.expires"), Kind: sheet.Date}, {Header: l.T("record.due_only")}}
	return sheet.Table{Name: l.T("record.title"), Columns: cols, Rows: func(emit func([]any) error) error {
		for _, o := range rec.Officers {
			name := o.Name
			if o.Erased {
				name = l.T("user.erased")
			}
			person := []any{name, o.LatinName, o.UserID}
			if len(o.Certificates) == 0 {
				if err := emit(append(person, make([]any, len(cols)-len(person))...)); err != nil {
					return err
				}
			}
			for _, e := range o.Certificates {
				var day, expires, due any
				if d, err := time.Parse(time.DateOnly, e.SessionDate); err == nil {
					day = d
				}
				if e.ExpiresAt != nil {
					expires = *e.ExpiresAt
				}
				if e.Due {
					due = l.T("record.due_course")
				}
				row := append(slices.Clone(person), e.CourseID, e.CourseTitle, day, e.City, l.Country(e.Country), e.Serial,
					l.T("certificate.status."+e.Status), expires, due)
				if err := emit(row); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

// agencyCertificateExport streams every valid certificate of an agency (the
// record page's button and its API twin). Like a session's ZIP, it is not
// audited: downloading certificates changes nothing.
func (s *Server) agencyCertificateExport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ex, err := s.certs.PrepareAgencyExport(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	s.streamZIP(c, fmt.Sprintf("agency-%d-certificates.zip", id), ex, nil, "agency_id", id)
	return nil
}
