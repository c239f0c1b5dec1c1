package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// bindJSON decodes a JSON body strictly: the right content type, no unknown
// fields, one value only. The body size is capped by the BodyLimit middleware.
func bindJSON(c echo.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, apperr.Message("err.http.json_content_type"))
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.single_object"))
	}
	return nil
}

func jsonError(err error) error {
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var httpErr *echo.HTTPError
	switch {
	case errors.As(err, &httpErr): // the body limit was hit while reading
		return httpErr
	case errors.As(err, &maxErr):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, apperr.Message("err.http.too_large"))
	case errors.Is(err, io.EOF):
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.empty_body"))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.malformed_json"))
	case errors.As(err, &typeErr):
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.field_type", "Field", typeErr.Field, "Type", typeErr.Type.String()))
	}
	// encoding/json says which field is unknown only in its error's text.
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.unknown_field", "Field", field))
	}
	return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.malformed_json")).WithInternal(err)
}

// idParam parses a numeric path parameter; anything else is simply not found.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// sessionScope is how a session-scoped handler starts: who asks, the
// request's context, and the session id of the path (404 when it is not one).
// It decides nothing about access: the service the handler calls asks
// schedule.Access, which answers 404 or 403.
func sessionScope(c echo.Context) (*auth.Actor, context.Context, int64, error) {
	id, err := idParam(c, "id")
	return actor(c), c.Request().Context(), id, err
}

// idParams parses the two numeric path parameters of a sub-resource (a
// session's officer, a session's attempt), the first failing one answering 404.
func idParams(c echo.Context, first, second string) (int64, int64, error) {
	a, err := idParam(c, first)
	if err != nil {
		return 0, 0, err
	}
	b, err := idParam(c, second)
	return a, b, err
}

// formView carries a page's list, the form's values and its field errors, so a
// rejected form comes back filled in with every problem next to its field.
type formView struct {
	List     any
	Agencies []auth.Agency
	Roles    []auth.Role
	Values   map[string]string
	Errors   map[string]string
	Message  string
	Created  string
}

// formErrors are a refusal's messages by field, in the page's language ("_":
// the form's as a whole).
func (s *Server) formErrors(c echo.Context, err error) (map[string]string, bool) {
	de, ok := refusal(err, apperr.CodeInvalid, apperr.CodeConflict)
	if !ok {
		return nil, false
	}
	l := s.localizer(c)
	out := map[string]string{}
	for _, d := range de.Details {
		out[d.Field] = d.In(l)
	}
	if len(out) == 0 {
		out["_"] = de.In(l)
	}
	return out, true
}

func formValues(c echo.Context, names ...string) map[string]string {
	v := map[string]string{}
	for _, n := range names {
		v[n] = strings.TrimSpace(c.FormValue(n))
	}
	return v
}

// form lets pages that embed a formView share the "field" partial.
func (fv formView) form() formView { return fv }
