package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/language"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

var (
	// isolate wraps data a template sets in a sentence, or hands to a catalogue
	// message, in Unicode isolates (i18n.Isolate): the plain-text part has no
	// other way to keep a Latin venue's commas or a time range in order in a
	// Hebrew line. The HTML part puts what it places itself in dir="auto" spans.
	textTemplates = texttemplate.Must(texttemplate.New("messages.txt").Funcs(texttemplate.FuncMap{"isolate": i18n.Isolate}).
			ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("messages.html").Funcs(htmltemplate.FuncMap{"button": button, "isolate": i18n.Isolate}).
			ParseFS(templateFS, "templates/*.html"))
)

// button is the data of the HTML "button" block: a link drawn as a button, with
// the address written out below for clients that hide it.
func button(v *view, label string) map[string]any {
	return map[string]any{"L": v.L, "Link": v.Link, "Label": label}
}

// Mailer writes Lectern's messages to the outbox, rendered in the recipient's
// language. Its methods do nothing on a nil *Mailer.
type Mailer struct {
	catalog *i18n.Catalog
	// BaseURL is the public address links point to.
	BaseURL string
	// DefaultLanguage is used when neither the user's nor the course's language is
	// known; empty means English.
	DefaultLanguage string
}

// NewMailer returns a Mailer writing with the catalogue's messages.
func NewMailer(catalog *i18n.Catalog, baseURL string) *Mailer {
	return &Mailer{catalog: catalog, BaseURL: strings.TrimSuffix(baseURL, "/")}
}

// Session is what session messages tell about a session, in the session's time
// zone; the Mailer writes its date, times and country in the recipient's
// language.
type Session struct {
	ID     int64
	Course string // the course title, in the course's language
	// Titles are the course's title in its translations, by language tag
	// (course.LANG.md); a reader of one gets it.
	Titles    map[string]string
	Language  string // the course's language: the recipient's when theirs is unknown
	Date      string // YYYY-MM-DD
	Start     string // HH:MM
	End       string
	Timezone  string // IANA name
	UTCOffset string // e.g. +01:00
	Venue     string
	City      string
	Country   string // ISO 3166 code
}

// Calendar is a session's .ics file in a reader's language, made when the
// recipient's language is known.
type Calendar func(lang string) ([]byte, error)

// view is what the templates see.
type view struct {
	L           *i18n.Localizer
	Lang        string
	Dir         string
	Subject     string
	Name        string
	BaseURL     string
	Link        string
	Expires     string // the link's expiry, in the reader's language
	expires     time.Time
	Session     *Session
	Times       string // the session's start and end, isolated (i18n.Localizer.TimeRangeOf)
	SessionURL  string
	Cert        *store.Certificate
	CertURL     string // the certificate's PDF, when Link is another page
	VerifyURL   string
	CertExpires string            // the certificate's expiry date, in the reader's language
	titles      map[string]string // the certificate's course title by language
	Due         []DueLine         // a coordinator's digest, as written for its reader
	hint        string            // a language for a reader whose own is unknown (the course's)
	Body        any               // the kind's own part, rendered into the layout
}

// Invitation asks a new user to activate their account by following link, which
// expires at expires.
func (m *Mailer) Invitation(q store.Q, u *store.User, link string, expires time.Time) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindInvitation, u, nil, &view{Link: link, expires: expires}, nil)
}

// PasswordReset sends a password-reset link, which expires at expires.
func (m *Mailer) PasswordReset(q store.Q, u *store.User, link string, expires time.Time) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindReset, u, nil, &view{Link: link, expires: expires}, nil)
}

// EnrolmentConfirmed tells an officer they have a seat.
func (m *Mailer) EnrolmentConfirmed(q store.Q, u *store.User, s Session) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindEnrolmentConfirmed, u, &s, &view{}, nil)
}

// WaitlistPromoted tells an officer a seat became free for them.
func (m *Mailer) WaitlistPromoted(q store.Q, u *store.User, s Session) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindWaitlistPromoted, u, &s, &view{}, nil)
}

// SessionChanged sends a session's new details with its updated .ics.
func (m *Mailer) SessionChanged(q store.Q, u *store.User, s Session, ics Calendar) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindSessionChanged, u, &s, &view{}, ics)
}

// SessionCancelled announces a cancellation with the .ics that removes the session
// from calendars.
func (m *Mailer) SessionCancelled(q store.Q, u *store.User, s Session, ics Calendar) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindSessionCancelled, u, &s, &view{}, ics)
}

// CertificateIssued tells an officer their certificate is ready at pdfLink;
// titles are the course title in the languages the certificate is printed in.
func (m *Mailer) CertificateIssued(q store.Q, u *store.User, c *store.Certificate, pdfLink string, titles map[string]string) error {
	if m == nil {
		return nil
	}
	v := &view{Cert: c, Link: pdfLink, VerifyURL: m.BaseURL + "/verify/" + c.Serial, titles: titles}
	return m.enqueue(q, KindCertificateIssued, u, nil, v, nil)
}

// CertificateExpiring reminds a holder that their certificate expires soon:
// Link is where upcoming sessions of the course are listed, pdfLink their
// current certificate. courseLanguage is the course's language, for a holder
// whose own is unknown.
func (m *Mailer) CertificateExpiring(q store.Q, u *store.User, c *store.Certificate, sessionsLink, pdfLink, courseLanguage string, titles map[string]string) error {
	if m == nil {
		return nil
	}
	v := &view{Cert: c, Link: sessionsLink, CertURL: pdfLink, titles: titles, hint: courseLanguage}
	return m.enqueue(q, KindCertificateExpiring, u, nil, v, nil)
}

// DueLine is one certificate in a coordinator's digest.
type DueLine struct {
	Holder    string
	Course    string            // the course title as issued
	Titles    map[string]string // the course title by language, as the certificate is printed
	ExpiresAt time.Time
}

// CertificatesExpiring sends a coordinator the digest of their officers'
// certificates newly due for recertification; recordLink is their agency's
// record, filtered to those due.
func (m *Mailer) CertificatesExpiring(q store.Q, u *store.User, due []DueLine, recordLink string) error {
	if m == nil || len(due) == 0 {
		return nil
	}
	return m.enqueue(q, KindCertificatesExpiring, u, nil, &view{Link: recordLink, Due: due}, nil)
}

// enqueue renders one kind of message for u and writes it to the outbox, with
// the session's calendar file in the recipient's language when ics is given.
// A user whose data was erased gets nothing: their address is a placeholder
// (erased-<id>@erased.invalid) and no rule that writes to people (session
// changes, reminders, waitlist) should reach them, whichever forgot to ask.
func (m *Mailer) enqueue(q store.Q, kind Kind, u *store.User, s *Session, v *view, ics Calendar) error {
	if u.ErasedAt != nil {
		return nil
	}
	var hints []string
	if s != nil {
		hints = append(hints, s.Language)
	}
	if v.hint != "" {
		hints = append(hints, v.hint)
	}
	lang, err := m.language(q, u, hints...)
	if err != nil {
		return err
	}
	msg, err := m.render(kind, lang, u, s, v)
	if err != nil {
		return err
	}
	if ics != nil && s != nil {
		data, err := ics(lang)
		if err != nil {
			return fmt.Errorf("%s e-mail: %w", kind, err)
		}
		msg.Attachments = []Attachment{{Name: fmt.Sprintf("session-%d.ics", s.ID), ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: data}}
	}
	return Enqueue(q, msg)
}

// language picks the recipient's language among the catalogues, by the rule
// pages use (i18n.Catalog.LanguageOf) with no request in hand: the one they
// chose, else the one observed when they activated, else the one of their
// agency's country (an officer invited before ever signing in: Brazil reads
// pt-BR, Israel he), else the hints (a session's course language), else the
// Mailer's default.
func (m *Mailer) language(q store.Q, u *store.User, hints ...string) (string, error) {
	var r i18n.Reader
	if u.ID != 0 {
		lang, chosen, err := q.UserLanguage(u.ID)
		if err != nil {
			return "", err
		}
		r.Saved, r.Chosen = lang, chosen
	}
	if u.AgencyID != nil {
		ag, err := q.Agency(*u.AgencyID)
		if err != nil {
			return "", fmt.Errorf("e-mail language of user %d: %w", u.ID, err)
		}
		r.Fallbacks = append(r.Fallbacks, i18n.CountryLanguage(ag.Country))
	}
	r.Fallbacks = append(r.Fallbacks, hints...)
	r.Fallbacks = append(r.Fallbacks, m.DefaultLanguage) // Match skips the empty ones
	return m.catalog.LanguageOf(r), nil
}

// titleIn is the title a reader of lang gets among titles by language tag
// (exactly, else the same base language: "pt" serves pt-BR), else fallback.
func titleIn(titles map[string]string, lang, fallback string) string {
	if t, ok := titles[lang]; ok && t != "" {
		return t
	}
	if tag, err := language.Parse(lang); err == nil {
		base, _ := tag.Base()
		for k, t := range titles {
			if kt, err := language.Parse(k); err == nil && t != "" {
				if kb, _ := kt.Base(); kb == base {
					return t
				}
			}
		}
	}
	return fallback
}

// localSession is s as its reader writes it: the course title in their
// language when the course has it, the date written out with its weekday, the
// times on their clock, the country by name. (The view's Times joins the
// times into one isolated range.)
func localSession(l *i18n.Localizer, s Session) *Session {
	s.Course = titleIn(s.Titles, l.Lang, s.Course)
	if d, err := time.Parse("2006-01-02", s.Date); err == nil {
		s.Date = l.DateWeekday(d)
	}
	s.Start, s.End = l.TimeOf(s.Start), l.TimeOf(s.End)
	if s.Country != "" {
		s.Country = l.Country(s.Country)
	}
	return &s
}

// render fills the kind's subject, text and HTML templates.
func (m *Mailer) render(kind Kind, lang string, u *store.User, s *Session, v *view) (Message, error) {
	l := m.catalog.For(lang)
	v.L, v.Lang, v.Dir, v.Name, v.BaseURL = l, lang, i18n.Dir(lang), u.Name, m.BaseURL
	if !v.expires.IsZero() {
		v.Expires = l.DateTime(v.expires.UTC()) + " UTC"
	}
	var args []any
	if s != nil {
		v.Session = localSession(l, *s)
		v.Times = l.TimeRangeOf(s.Start, s.End)
		v.SessionURL = fmt.Sprintf("%s/sessions/%d", m.BaseURL, s.ID)
		args = []any{"Course", i18n.Isolate(v.Session.Course), "Date", v.Session.Date}
	}
	if v.Cert != nil {
		c := *v.Cert
		c.CourseTitle, c.SessionDate = titleIn(v.titles, lang, c.CourseTitle), l.DateOf(c.SessionDate)
		v.Cert = &c
		args = []any{"Course", i18n.Isolate(c.CourseTitle), "Date", c.SessionDate}
		if c.ExpiresAt != nil {
			// Expiry is a UTC instant at the start of its day: written as that day.
			v.CertExpires = l.Date(c.ExpiresAt.UTC())
			args = append(args, "Expires", v.CertExpires)
		}
	}
	if v.Due != nil {
		due := make([]DueLine, len(v.Due))
		for i, d := range v.Due {
			due[i] = DueLine{Holder: d.Holder, Course: titleIn(d.Titles, lang, d.Course), ExpiresAt: d.ExpiresAt}
		}
		v.Due = due
		args = []any{"Count", len(due)}
	}
	v.Subject = oneLine(l.T("mail."+string(kind)+".subject", args...))

	var body, text bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&body, string(kind), v); err != nil {
		return Message{}, fmt.Errorf("render %s e-mail: %w", kind, err)
	}
	v.Body = body.String()
	if err := textTemplates.ExecuteTemplate(&text, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render %s e-mail: %w", kind, err)
	}
	var hbody, html bytes.Buffer
	if err := htmlTemplates.ExecuteTemplate(&hbody, string(kind), v); err != nil {
		return Message{}, fmt.Errorf("render %s e-mail as HTML: %w", kind, err)
	}
	v.Body = htmltemplate.HTML(hbody.String()) // rendered, and so escaped, by html/template just above
	if err := htmlTemplates.ExecuteTemplate(&html, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render %s e-mail as HTML: %w", kind, err)
	}
	msg := Message{Kind: kind, To: u.Email, ToName: u.Name, Language: lang, Subject: v.Subject,
		Text: text.String(), HTML: html.String()}
	if u.ID != 0 {
		id := u.ID
		msg.UserID = &id
	}
	if s != nil {
		id := s.ID
		msg.SessionID = &id
	} else if v.Cert != nil {
		id := v.Cert.SessionID
		msg.SessionID = &id
	}
	return msg, nil
}
