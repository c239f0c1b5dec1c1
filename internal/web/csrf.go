package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/secrets"
)

// csrfCookie holds a browser's pre-session secret: before it signs in, its form
// tokens are bound to this. It is replaced at sign-in and at sign-out. On an
// HTTPS site its name has the __Host- prefix (cookieName).
const csrfCookie = "lectern_csrf"

// csrfErrorCode is the API error code of a CSRF refusal, so that a page's
// script can tell a token gone stale (get the current one, send again) from a
// sign-in that ended or a role that may not do this.
const csrfErrorCode = "csrf"

var errCSRF = errors.New("csrf check failed")

// csrfProtection is what the CSRF check needs: a server key, so that a token
// cannot be made without the server (a planted cookie whose value is the token,
// echo's old double-submit pair, is worth nothing), and the browser's own word
// on where a request comes from. The server hands the token of any cookie value
// to whoever sends that value (the sign-in page must), so a cookie someone else
// can plant would make a token they know: what stops that is the browser's word
// (Origin, Sec-Fetch-Site) and, on HTTPS, the cookies' __Host- names, which a
// sibling subdomain or a plain-HTTP response cannot set.
type csrfProtection struct {
	key         []byte
	crossOrigin *http.CrossOriginProtection
}

// newCSRFProtection keys tokens from the secrets key, so every process behind a
// load balancer accepts the others' tokens; without one (nil), a key of this
// process's own. The public base URL is a trusted origin, for proxies that
// pass the request on under another Host.
func newCSRFProtection(key *secrets.Key, baseURL string) (*csrfProtection, error) {
	p := &csrfProtection{crossOrigin: http.NewCrossOriginProtection()}
	if key != nil {
		p.key = key.Derive("csrf")
	} else {
		p.key = make([]byte, 32)
		rand.Read(p.key) // never fails (crypto/rand)
	}
	if u, err := url.Parse(baseURL); err == nil && u.Scheme != "" && u.Host != "" {
		if err := p.crossOrigin.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("base URL %q as a trusted origin: %w", baseURL, err)
		}
	}
	return p, nil
}

// token is the form token bound to one secret of one kind.
func (p *csrfProtection) token(kind string, secret []byte) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write(secret)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionToken is the token of a sign-in, made from its session token's hash
// (the same value the database knows it by, never the token itself).
func (p *csrfProtection) sessionToken(session string) string {
	sum := sha256.Sum256([]byte(session))
	return p.token("session", sum[:])
}

// fromThisSite: the browser does not say a request comes from another site —
// the rule the check of unsafe methods applies, asked of any method
// (CrossOriginProtection lets safe ones through unasked).
func (p *csrfProtection) fromThisSite(req *http.Request) bool {
	r := req.WithContext(req.Context())
	r.Method = http.MethodPost
	return p.crossOrigin.Check(r) == nil
}

// notCrossSite refuses a GET that does something (writes an audit entry,
// produces a personal-data export) when the browser says another site asked
// for it: a third-party page's <img src=".../users/N/data.zip"> would
// otherwise have an admin's browser export every user, each audited in the
// admin's name. Bearer clients carry no ambient credentials and pass; so do
// clients that say nothing of the site (not a browser another site drives).
func (s *Server) notCrossSite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get("auth_via") != "bearer" && !s.csrfProt.fromThisSite(c.Request()) {
			return s.csrfRejected(c, "cross-origin")
		}
		return next(c)
	}
}

// csrf protects every state-changing request that a browser's cookies could
// authenticate: the request must not come from another site (Sec-Fetch-Site,
// else Origin; clients that send neither are not browsers that another site
// could drive, and still need the token), and must carry the token bound to
// the browser's sign-in — or, before it, to its pre-session cookie. Bearer-token
// API calls carry no ambient credentials and are exempt; so are API calls
// without a session cookie (such as the API login).
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		s.exposeCSRF(c)
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Get("auth_via") == "bearer" {
			return next(c)
		}
		if strings.HasPrefix(req.URL.Path, "/api/") {
			if session, _ := c.Get(sessionKey).(string); session == "" {
				return next(c)
			}
		}
		if err := s.csrfProt.crossOrigin.Check(req); err != nil {
			return s.csrfRejected(c, "cross-origin")
		}
		got := req.Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("csrf_token")
		}
		want := s.expectedCSRF(c, false)
		if want == "" || !hmac.Equal([]byte(got), []byte(want)) {
			return s.csrfRejected(c, "token")
		}
		return next(c)
	}
}

func (s *Server) csrfRejected(c echo.Context, reason string) error {
	s.log.Warn("csrf rejected", "path", logPath(c), "reason", reason, "remote", c.RealIP())
	return echo.NewHTTPError(http.StatusForbidden, s.localizer(c).T("error.csrf")).WithInternal(errCSRF)
}

// exposeCSRF gives a page's scripts the current token of the browser's sign-in,
// in the X-CSRF-Token header of every response to its own requests: a page
// keeps the token it was rendered with, which stops working after a sign-out
// and sign-in in another tab, or an upgrade. Only for a live sign-in by cookie
// (bearer clients need none), only to requests from this site, and only on
// responses no cache keeps; not when this request signed in or out (the next
// page carries the new token).
func (s *Server) exposeCSRF(c echo.Context) {
	session, _ := c.Get(sessionKey).(string)
	if session == "" || actor(c) == nil || !s.csrfProt.fromThisSite(c.Request()) {
		return
	}
	res := c.Response()
	res.Before(func() {
		if _, renewed := c.Get("csrf").(string); renewed || !strings.Contains(res.Header().Get("Cache-Control"), "no-store") {
			return
		}
		res.Header().Set("X-CSRF-Token", s.csrfProt.sessionToken(session))
	})
}

// csrfTokenShowAPI is GET /api/v1/auth/csrf: the current token of a cookie
// sign-in, for a page's script whose own was refused (exposeCSRF's header
// serves the same, on a refusal too). Never to a bearer client, nor to
// another site.
func (s *Server) csrfTokenShowAPI(c echo.Context) error {
	session, _ := c.Get(sessionKey).(string)
	if session == "" || actor(c) == nil {
		return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.csrf_cookie_only"))
	}
	if !s.csrfProt.fromThisSite(c.Request()) {
		return s.csrfRejected(c, "cross-origin")
	}
	return c.JSON(http.StatusOK, map[string]string{"csrf_token": s.csrfProt.sessionToken(session)})
}

// expectedCSRF is the token this request's forms carry: bound to the session
// cookie when there is one (a sign-in, or one that has just ended, so the
// idle sign-out form still works; under the old name, a live one only), else to the pre-session cookie, which mint
// creates when the browser has none yet.
func (s *Server) expectedCSRF(c echo.Context, mint bool) string {
	if t, ok := c.Get("csrf").(string); ok {
		return t // set by this request's own sign-in or sign-out
	}
	if session, _ := c.Get(sessionKey).(string); session != "" {
		return s.csrfProt.sessionToken(session)
	}
	if ck, err := c.Cookie(s.cookieName(csrfCookie)); err == nil && ck.Value != "" {
		return s.csrfProt.token("browser", []byte(ck.Value))
	}
	if !mint {
		return ""
	}
	return s.newBrowserCSRF(c)
}

// newBrowserCSRF gives the browser a new pre-session cookie and returns its token.
func (s *Server) newBrowserCSRF(c echo.Context) string {
	v := rand.Text()
	s.setCookie(c, s.cookieName(csrfCookie), v, cookieMaxAge)
	t := s.csrfProt.token("browser", []byte(v))
	c.Set("csrf", t)
	return t
}

// renewCSRF follows a sign-in (session: its token) or a sign-out (""): every
// token made before is done with. At sign-in the pre-session cookie goes and
// the sign-in's own token takes over; at sign-out the browser gets a fresh
// pre-session cookie, so nothing of the sign-in that ended makes a token that
// works now.
func (s *Server) renewCSRF(c echo.Context, session string) {
	if session == "" {
		s.newBrowserCSRF(c)
		return
	}
	s.setCookie(c, s.cookieName(csrfCookie), "", -1)
	c.Set("csrf", s.csrfProt.sessionToken(session))
}
