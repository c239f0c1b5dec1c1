package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/mail"
)

// outboxQuery is who reads the outbox and the filter they ask for, with
// defaultLimit when the query sets none. The outbox checks the actor itself;
// asking first here keeps a non-admin's bad filter a 403, not a 422.
func outboxQuery(c echo.Context, defaultLimit int) (*auth.Actor, mail.OutboxFilter, error) {
	a := actor(c)
	if err := auth.Authorize(a, auth.ActOutboxRead); err != nil {
		return nil, mail.OutboxFilter{}, err
	}
	f, err := outboxFilter(c)
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	return a, f, err
}

// outboxFilter reads ?status=&kind=&user_id=&before=&limit=.
func outboxFilter(c echo.Context) (mail.OutboxFilter, error) {
	var f apperr.Fields
	out := mail.OutboxFilter{Status: c.QueryParam("status"), Kind: c.QueryParam("kind")}
	if out.Status != "" && !slices.Contains(mail.Statuses, out.Status) {
		f.Add("status", "err.outbox.status")
	}
	if out.Kind != "" && !slices.Contains(mail.Kinds, mail.Kind(out.Kind)) {
		f.Add("kind", "err.mail.kind_unknown", "Kind", out.Kind)
	}
	num := func(name string, dst *int64) {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				f.Add(name, "err.field.positive_number")
			}
			*dst = n
		}
	}
	var userID, limit int64
	num("user_id", &userID)
	num("before", &out.BeforeID)
	num("limit", &limit)
	if userID > 0 {
		out.UserID = &userID
	}
	out.Limit = int(min(limit, 500))
	return out, f.Err()
}

type outboxView struct {
	Messages []mail.OutboxMessage
	Counts   map[string]int64
	SMTP     string
	Status   string
	Kind     string
	Statuses []string
	Kinds    []mail.Kind
}

// smtpServer describes the server the App's sender delivers through, without
// its password; empty: none, and messages stay queued.
func (s *Server) smtpServer() string {
	if s.opts.SMTP == nil {
		return ""
	}
	return s.opts.SMTP.String()
}

// outboxList lists the e-mails, newest first: what was sent, what waits and why.
// Without SMTP it is where an admin reads an invitation link to hand it over.
func (s *Server) outboxList(c echo.Context) error {
	a, f, err := outboxQuery(c, 200)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.outbox.Messages(ctx, a, f)
	if err != nil {
		return err
	}
	counts, err := s.outbox.Counts(ctx, a)
	if err != nil {
		return err
	}
	v := outboxView{Messages: list, Counts: counts, SMTP: s.smtpServer(), Status: f.Status, Kind: f.Kind,
		Statuses: mail.Statuses, Kinds: mail.Kinds}
	return s.render(c, http.StatusOK, "outbox.html", s.localizer(c).T("outbox.title"), v)
}

func (s *Server) outboxListAPI(c echo.Context) error {
	a, f, err := outboxQuery(c, 100)
	if err != nil {
		return err
	}
	list, err := s.outbox.Messages(c.Request().Context(), a, f)
	return jsonOrError(c, http.StatusOK, list, err)
}
