package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/paperquiz"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// paperQuizPDF prints version ?version=N (default 1) of a session's quiz for a
// room without devices: the officers' question sheet, or with ?key=1 the
// trainer's answer key for that version. The session's trainers and admins only.
func (s *Server) paperQuizPDF(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	version := 1
	if v := c.QueryParam("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			version = 0 // refused by PaperQuiz like any version out of range, once it is known who asks
		}
	}
	key := c.QueryParam("key") == "1"
	pq, err := s.attempts.PaperQuiz(c.Request().Context(), actor(c), id, c.Param("quiz"), version, key)
	if err != nil {
		return err
	}
	ts := pq.Session
	sheet := paperquiz.Sheet{Programme: s.programme(), Course: pq.Course.Title, Quiz: pq.Quiz.Title, Date: ts.Date,
		Place:   typeset.Join(", ", ts.Venue, typeset.PlaceName(ts.City, ts.Country)),
		Version: pq.Version, TimeLimit: pq.Quiz.TimeLimit, PassMark: pq.Quiz.PassMark, Intro: pq.Quiz.Intro,
		Questions: pq.Questions, Key: key}
	var doc bytes.Buffer
	if err := paperquiz.Write(&doc, sheet); err != nil {
		return err
	}
	name := fmt.Sprintf("quiz-%s-v%d.pdf", pq.Quiz.ID, pq.Version)
	if key {
		name = fmt.Sprintf("quiz-%s-v%d-key.pdf", pq.Quiz.ID, pq.Version)
	}
	setAttachment(c, name)
	return c.Blob(http.StatusOK, "application/pdf", doc.Bytes())
}

// programme is the training programme printed on the documents the server
// makes (certificates name it through certify's own setting).
func (s *Server) programme() string {
	if s.cfg.Programme != "" {
		return s.cfg.Programme
	}
	return certify.DefaultProgramme
}
