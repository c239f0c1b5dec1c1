package web

import (
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
)

func (s *Server) courseList(c echo.Context) error {
	if err := auth.Authorize(actor(c), auth.ActCourseRead); err != nil {
		return err
	}
	l := s.localizer(c)
	return s.render(c, http.StatusOK, "courses.html", l.T("courses.title"), s.library.Courses())
}

// findCourse returns the course named in the URL, for a signed-in reader.
func (s *Server) findCourse(c echo.Context) (*course.Course, error) {
	if err := auth.Authorize(actor(c), auth.ActCourseRead); err != nil {
		return nil, err
	}
	crs, ok := s.library.Course(c.Param("course"))
	if !ok {
		return nil, echo.NewHTTPError(http.StatusNotFound, s.localizer(c).T("error.course_not_found"))
	}
	c.Set(langDefaultKey, crs.Language)
	return crs, nil
}

func (s *Server) courseShow(c echo.Context) error {
	crs, err := s.findCourse(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "course.html", crs.Text(s.localizer(c).Lang).Title, crs)
}

// courseAssetShow serves a course's images and PDFs from what was loaded and linted,
// never from the disk at request time. Markdown sources (modules, and above all
// quizzes with their answer keys) and their copies are never assets; the type
// check repeats the loader's so no other file can slip through.
func (s *Server) courseAssetShow(c echo.Context) error {
	crs, err := s.findCourse(c)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	data, ok := crs.Assets[name]
	ctype, served := course.AssetType(name)
	if !ok || !served {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	// A trainer's SVG opened directly must not run script in our origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	// Course files need a sign-in: a shared cache must not keep them, and the
	// browser asks again each time (a 304 by the ETag), so a signed-out device
	// does not show them.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `W/"`+crs.Hash[:16]+`"`) // weak: an SVG goes out gzipped or plain (compress.go)
	if c.Request().Header.Get("If-None-Match") == h.Get("ETag") {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, ctype, data)
}

// moduleView is a module page: the module in the reader's language, and its place
// in the course for the previous/next links.
type moduleView struct {
	Course    *course.Course
	Module    *course.Module // the base module (its id and translations)
	Text      *course.Module // the version shown
	Prev      *course.Module
	Next      *course.Module
	Languages []string
}

func (s *Server) moduleShow(c echo.Context) error {
	crs, err := s.findCourse(c)
	if err != nil {
		return err
	}
	v := moduleView{Course: crs}
	for i, m := range crs.Modules {
		if m.ID == c.Param("module") {
			v.Module = m
			if i > 0 {
				v.Prev = crs.Modules[i-1]
			}
			if i+1 < len(crs.Modules) {
				v.Next = crs.Modules[i+1]
			}
		}
	}
	if v.Module == nil {
		return echo.NewHTTPError(http.StatusNotFound, s.localizer(c).T("error.module_not_found"))
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = s.localizer(c).Lang
	}
	v.Text = v.Module.Translation(lang)
	if len(v.Module.Translations) > 0 {
		v.Languages = append(v.Languages, crs.Language)
		for tag := range v.Module.Translations {
			v.Languages = append(v.Languages, tag)
		}
		sort.Strings(v.Languages[1:])
	}
	return s.render(c, http.StatusOK, "module.html", v.Text.Title, v)
}
