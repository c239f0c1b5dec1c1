package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
)

// langCookie keeps the language chosen in the selector by someone not signed
// in (and, as a copy, by someone signed in, so the sign-in page after a
// sign-out stays in it). It is a preference, not a secret: no __Host- prefix,
// so it survives switching between HTTP and HTTPS setups.
const (
	langCookie       = "lectern_lang"
	langCookieMaxAge = 365 * 24 * time.Hour
	// langDefaultKey carries a page's own fallback language (a course's), for
	// a browser that names none Lectern has.
	langDefaultKey = "lang.default"
)

// localizer is the request's language, chosen once by i18n.Catalog.LanguageOf:
// the signed-in user's explicit choice, else the selector's cookie, else the
// browser's Accept-Language, else the language observed when they activated
// their account, else the page's default (a course's language), else English.
func (s *Server) localizer(c echo.Context) *i18n.Localizer {
	if l, ok := c.Get("localizer").(*i18n.Localizer); ok {
		return l
	}
	var r i18n.Reader
	if a := actor(c); a != nil {
		r.Saved, r.Chosen = a.Language, a.LanguageChosen
	}
	r.Cookie = s.languageCookie(c)
	r.AcceptLanguage = c.Request().Header.Get("Accept-Language")
	if def, _ := c.Get(langDefaultKey).(string); def != "" {
		r.Fallbacks = []string{def}
	}
	l := s.catalog.For(s.catalog.LanguageOf(r))
	c.Set("localizer", l)
	return l
}

// languageChoose is the selector in every page's header (and on the account
// page): it saves the choice for a signed-in user, sets the cookie for
// everyone, and goes back to the page it came from, on this site only.
func (s *Server) languageChoose(c echo.Context) error {
	lang := c.FormValue("language")
	if err := s.checkLanguage(lang); err != nil {
		return err
	}
	if a := actor(c); a != nil {
		if err := s.accounts.SetLanguage(c.Request().Context(), a, lang); err != nil {
			return err
		}
	}
	s.setLanguageCookie(c, lang)
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next")))
}

type languageBody struct {
	Language string `json:"language"`
}

// languageUpdateAPI saves the caller's language → the user, as GET /me.
func (s *Server) languageUpdateAPI(c echo.Context) error {
	var in languageBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := s.checkLanguage(in.Language); err != nil {
		return err
	}
	a := actor(c)
	if err := s.accounts.SetLanguage(c.Request().Context(), a, in.Language); err != nil {
		return err
	}
	u, err := s.accounts.User(c.Request().Context(), a, a.UserID)
	return jsonOrError(c, http.StatusOK, u, err)
}

// checkLanguage accepts only a language the selector offers, spelt as it does.
func (s *Server) checkLanguage(lang string) error {
	if !s.catalog.Offers(lang) {
		var tags []string
		for _, l := range s.catalog.Languages() {
			tags = append(tags, l.Tag)
		}
		return apperr.Invalid("language", "err.language.not_offered", "Language", lang, "Languages", strings.Join(tags, ", "))
	}
	return nil
}

// languageCookie is the selector's cookie's language, "" without one.
func (s *Server) languageCookie(c echo.Context) string {
	if ck, err := c.Cookie(langCookie); err == nil {
		return ck.Value
	}
	return ""
}

// adoptLanguage carries a language chosen on the sign-in (or activation)
// page's selector into the account that just signed in, as its explicit
// choice, unless the account has one (auth.AdoptLanguage): someone who picked
// Korean before signing in keeps reading Korean afterwards, on every device
// and in e-mails. A failure costs only that: logged, the sign-in stands.
func (s *Server) adoptLanguage(c echo.Context, u *auth.User) {
	lang := s.languageCookie(c)
	if u == nil || u.LanguageChosen || !s.catalog.Offers(lang) {
		return
	}
	if err := s.accounts.AdoptLanguage(c.Request().Context(), u.ID, lang); err != nil {
		s.log.Warn("adopt the sign-in page's language", "user_id", u.ID, "lang", lang, "err", err)
	}
}

func (s *Server) setLanguageCookie(c echo.Context, lang string) {
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(langCookieMaxAge.Seconds())})
}
