package web

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/paper"
)

// slipsPrint prints a session's sign-in slips (POST: printing issues fresh
// invitation links and retires those of an earlier print-out). The session's
// trainers and admins get every officer's, a coordinator their agency's.
func (s *Server) slipsPrint(c echo.Context) error {
	a, ctx, id, err := sessionScope(c)
	if err != nil {
		return err
	}
	ts, people, err := s.schedule.SlipRoster(ctx, a, id)
	if err != nil {
		return err
	}
	invitations, err := s.accounts.InviteForSlips(ctx, a, people)
	if err != nil {
		return err
	}
	sort.Slice(people, func(i, j int) bool { return people[i].Name < people[j].Name })
	printer := s.localizer(c)
	sheet := paper.SlipSheet{L: printer, Programme: s.programme(), Course: ts.CourseTitle, Date: ts.Date, Venue: ts.Venue, City: ts.City, BaseURL: s.cfg.BaseURL}
	crs, hasCourse := s.library.Course(ts.Course)
	if hasCourse {
		sheet.Course = crs.Title
	}
	agencies := map[int64]*auth.Agency{}
	for _, u := range people {
		slip := paper.Slip{Name: u.Name, LatinName: u.LatinName, Email: u.Email}
		// Each slip is in its officer's language: the one they chose or
		// read in, else their agency's country's, else the printer's.
		country := ""
		if u.AgencyID != nil {
			if _, ok := agencies[*u.AgencyID]; !ok {
				ag, err := s.accounts.Agency(ctx, a, *u.AgencyID)
				if err != nil {
					return fmt.Errorf("sign-in slips of session %d: %w", id, err)
				}
				agencies[*u.AgencyID] = ag
			}
			slip.Agency, country = agencies[*u.AgencyID].Name, agencies[*u.AgencyID].Country
		}
		slip.L = s.catalog.For(s.catalog.LanguageOf(i18n.Reader{Saved: u.Language, Chosen: u.LanguageChosen, Fallbacks: []string{i18n.CountryLanguage(country), printer.Lang}}))
		if hasCourse {
			slip.Course = crs.Text(slip.L.Lang).Title
		}
		if inv, ok := invitations[u.ID]; ok {
			slip.Link, slip.Code, slip.ExpiresAt = inv.Link, inv.Code, inv.ExpiresAt
		}
		sheet.Slips = append(sheet.Slips, slip)
	}
	var doc bytes.Buffer
	if err := paper.WriteSlips(&doc, sheet); err != nil {
		return err
	}
	setAttachment(c, fmt.Sprintf("session-%d-sign-in-slips.pdf", id))
	return c.Blob(http.StatusOK, "application/pdf", doc.Bytes())
}
