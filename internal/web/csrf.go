package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/secrets"
)

// csrfCookie holds a browser's pre-session secret: before it signs in, its form
// tokens are bound to this. It is replaced at sign-in and at sign-out.
const csrfCookie = "lectern_csrf"

// csrfProtection is what the CSRF check needs: a server key, so that a token
// cannot be made without the server (a cookie planted by a sibling subdomain or
// on plain HTTP comes with no token that matches it), and the browser's own
// word on where a request comes from.
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
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Get("auth_via") == "bearer" {
			return next(c)
		}
		if strings.HasPrefix(req.URL.Path, "/api/") {
			if _, err := c.Cookie(sessionCookie); err != nil {
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
	return echo.NewHTTPError(http.StatusForbidden, s.localizer(c).T("error.csrf"))
}

// expectedCSRF is the token this request's forms carry: bound to the session
// cookie when there is one (a sign-in, or one that has just ended, so the
// idle sign-out form still works), else to the pre-session cookie, which mint
// creates when the browser has none yet.
func (s *Server) expectedCSRF(c echo.Context, mint bool) string {
	if t, ok := c.Get("csrf").(string); ok {
		return t // set by this request's own sign-in or sign-out
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return s.csrfProt.sessionToken(ck.Value)
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && ck.Value != "" {
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
	s.setCookie(c, csrfCookie, v, cookieMaxAge)
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
	s.setCookie(c, csrfCookie, "", -1)
	c.Set("csrf", s.csrfProt.sessionToken(session))
}
