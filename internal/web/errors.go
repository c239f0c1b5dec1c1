package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/munnerz/goautoneg"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/i18n"
)

// apiError is the JSON shape of every API error. Message is in the request's
// language (the pages' choice); MessageID and Args, the same in every language,
// let a client word it itself from the errors catalogue. Besides domain errors,
// the web layer's own refusals carry one (an echo.HTTPError whose Message is an
// apperr.Msg: malformed JSON, a wrong content type).
type apiError struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	MessageID string          `json:"message_id,omitempty"`
	Args      map[string]any  `json:"args,omitempty"`
	Details   []apiFieldError `json:"details,omitempty"`
}

// apiFieldError is one bad field (or CSV row) of an API error.
type apiFieldError struct {
	Row       int            `json:"row,omitempty"`
	Field     string         `json:"field"`
	Message   string         `json:"message"`
	MessageID string         `json:"message_id"`
	Args      map[string]any `json:"args,omitempty"`
}

// fieldErrors are a domain error's field errors in l's language.
func fieldErrors(l *i18n.Localizer, details []apperr.FieldError) []apiFieldError {
	if len(details) == 0 {
		return nil
	}
	out := make([]apiFieldError, len(details))
	for i, d := range details {
		out[i] = apiFieldError{Row: d.Row, Field: d.Field, Message: d.In(l), MessageID: d.ID, Args: d.ArgMap()}
	}
	return out
}

var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusTooManyRequests:       "too_many_requests",
	http.StatusInternalServerError:   "internal",
	http.StatusServiceUnavailable:    "unavailable",
}

// domainStatus is the one map from domain error codes to HTTP statuses.
var domainStatus = map[apperr.Code]int{
	apperr.CodeInvalid:      http.StatusUnprocessableEntity,
	apperr.CodeNotFound:     http.StatusNotFound,
	apperr.CodeConflict:     http.StatusConflict,
	apperr.CodeUnauthorized: http.StatusUnauthorized,
	apperr.CodeForbidden:    http.StatusForbidden,
	apperr.CodeTooMany:      http.StatusTooManyRequests,
}

// refusal is err as the domain's refusal when its code is one of codes: those
// a page shows on itself (a closed day, a bad value), where other errors go to
// the error page.
func refusal(err error, codes ...apperr.Code) (*apperr.Error, bool) {
	de, ok := apperr.As(err)
	if !ok || !slices.Contains(codes, de.Code) {
		return nil, false
	}
	return de, true
}

// handleError is the one place an error becomes a response: JSON under /api/,
// an HTML page elsewhere. Internal details never reach the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	message, messageID := "", ""
	var args map[string]any
	var details []apiFieldError
	var he *echo.HTTPError
	l := s.localizer(c)
	if de, ok := apperr.As(err); ok {
		status = domainStatus[de.Code]
		if de.ID != "" {
			message, messageID, args = de.In(l), de.ID, de.ArgMap()
		}
		details = fieldErrors(l, de.Details)
		if de.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(de.RetryAfter.Seconds()+0.5)))
		}
	} else if errors.As(err, &he) {
		status = he.Code
		if m, ok := he.Message.(apperr.Msg); ok && status < 500 {
			message, messageID, args = m.In(l), m.ID, m.ArgMap()
		} else if m, ok := he.Message.(string); ok && status < 500 {
			message = m // already in the page's language (a handler's l.T)
		}
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away; nobody reads this response and nothing failed.
		s.log.Info("client went away", "path", logPath(c))
		c.Response().WriteHeader(499)
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "path", logPath(c), "err", err)
	}
	if message == "" || message == http.StatusText(status) {
		message = l.T("error.status." + statusCodes[status])
	}
	req := c.Request()
	if status == http.StatusUnauthorized && req.Method == http.MethodGet && (!wantsJSON(req.URL.Path) || navigating(req)) {
		// Pages, and links a person follows into the API (a certificate's PDF)
		// after their sign-in ended: the sign-in page brings them back.
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(req.URL.RequestURI()))
		return
	}
	// A person who followed a link into the API (a PDF that cannot be printed
	// as asked) reads the error as a page; scripts get JSON.
	if wantsJSON(req.URL.Path) && !navigating(req) {
		code := statusCodes[status]
		if code == "" {
			code = "error"
		}
		if errors.Is(err, errCSRF) {
			code = csrfErrorCode
		}
		_ = c.JSON(status, map[string]apiError{"error": {Code: code, Message: message, MessageID: messageID, Args: args, Details: details}})
		return
	}
	if req.Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := s.render(c, status, "error.html", l.T("error.title"), map[string]any{"Status": status, "Message": message}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, message)
	}
}

// userMessage is what to tell a person about a domain error, in the page's
// language: the first field's message when there is one ("this code is wrong or
// has expired"), else the summary.
func (s *Server) userMessage(c echo.Context, de *apperr.Error) string {
	if len(de.Details) == 1 {
		return de.Details[0].In(s.localizer(c))
	}
	return de.In(s.localizer(c))
}

// wantsJSON: the API, and the machine-readable twins of public pages
// (/verify/{serial}.json), answer errors in the API's JSON shape.
func wantsJSON(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasSuffix(path, ".json")
}

// navigating reports a browser loading a page or a download from a link, as
// opposed to a script or an API client, which want the JSON error. Browsers
// say so with Sec-Fetch-Mode; without it, the Accept header decides, and only
// a client that prefers HTML to JSON by its q-values gets the page (a client
// sending "application/json, text/html;q=0.9" wants JSON).
func navigating(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	accept := strings.ToLower(r.Header.Get("Accept"))
	return acceptQ(accept, "text", "html") > acceptQ(accept, "application", "json")
}

// acceptQ is the quality an Accept header gives one media type: that of the
// most specific range that matches it (RFC 9110, section 12.5.1), 0 if none does.
func acceptQ(accept, typ, sub string) float64 {
	q, best := 0.0, 0
	for _, a := range goautoneg.ParseAccept(accept) {
		rank := 0
		switch {
		case a.Type == typ && a.SubType == sub:
			rank = 3
		case a.Type == typ && a.SubType == "*":
			rank = 2
		case a.Type == "*" && a.SubType == "*":
			rank = 1
		}
		if rank > best {
			q, best = a.Q, rank
		}
	}
	return q
}
