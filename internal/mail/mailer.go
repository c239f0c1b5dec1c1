package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("messages.txt").ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("messages.html").Funcs(htmltemplate.FuncMap{"button": button}).
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

// Session is what session messages tell about a session, already formatted in
// the session's time zone.
type Session struct {
	ID        int64
	Course    string // the course title
	Language  string // the course's language: the recipient's when theirs is unknown
	Date      string // YYYY-MM-DD
	Start     string // HH:MM
	End       string
	Timezone  string // IANA name
	UTCOffset string // e.g. +01:00
	Venue     string
	City      string
	Country   string
}

// view is what the templates see.
type view struct {
	L          *i18n.Localizer
	Lang       string
	Dir        string
	Subject    string
	Name       string
	BaseURL    string
	Link       string
	Expires    string
	Session    *Session
	SessionURL string
	Cert       *store.Certificate
	VerifyURL  string
	Body       any // the kind's own part, rendered into the layout
}

// Invitation asks a new user to activate their account by following link, which
// expires at expires.
func (m *Mailer) Invitation(q store.Q, u *store.User, link string, expires time.Time) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindInvitation, u, nil, &view{Link: link, Expires: formatUTC(expires)}, nil)
}

// PasswordReset sends a password-reset link, which expires at expires.
func (m *Mailer) PasswordReset(q store.Q, u *store.User, link string, expires time.Time) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindReset, u, nil, &view{Link: link, Expires: formatUTC(expires)}, nil)
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
func (m *Mailer) SessionChanged(q store.Q, u *store.User, s Session, ics []byte) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindSessionChanged, u, &s, &view{}, calendar(s, ics))
}

// SessionCancelled announces a cancellation with the .ics that removes the session
// from calendars.
func (m *Mailer) SessionCancelled(q store.Q, u *store.User, s Session, ics []byte) error {
	if m == nil {
		return nil
	}
	return m.enqueue(q, KindSessionCancelled, u, &s, &view{}, calendar(s, ics))
}

// CertificateIssued tells an officer their certificate is ready at pdfLink.
func (m *Mailer) CertificateIssued(q store.Q, u *store.User, c *store.Certificate, pdfLink string) error {
	if m == nil {
		return nil
	}
	v := &view{Cert: c, Link: pdfLink, VerifyURL: m.BaseURL + "/verify/" + c.Serial}
	return m.enqueue(q, KindCertificateIssued, u, nil, v, nil)
}

func calendar(s Session, ics []byte) []Attachment {
	if len(ics) == 0 {
		return nil
	}
	return []Attachment{{Name: fmt.Sprintf("session-%d.ics", s.ID), ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics}}
}

func formatUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

// enqueue renders one kind of message for u and writes it to the outbox.
func (m *Mailer) enqueue(q store.Q, kind Kind, u *store.User, s *Session, v *view, atts []Attachment) error {
	var hints []string
	if s != nil {
		hints = append(hints, s.Language)
	}
	lang, err := m.language(q, u, hints...)
	if err != nil {
		return err
	}
	msg, err := m.render(kind, lang, u, s, v)
	if err != nil {
		return err
	}
	msg.Attachments = atts
	return Enqueue(q, msg)
}

// language picks the recipient's language among the catalogues.
func (m *Mailer) language(q store.Q, u *store.User, hints ...string) (string, error) {
	var wanted []string
	if u.ID != 0 {
		lang, err := q.UserLanguage(u.ID)
		if err != nil {
			return "", err
		}
		wanted = append(wanted, lang)
	}
	wanted = append(wanted, hints...)
	wanted = append(wanted, m.DefaultLanguage) // Match skips the empty ones
	return m.catalog.Match(wanted...), nil
}

// render fills the kind's subject, text and HTML templates.
func (m *Mailer) render(kind Kind, lang string, u *store.User, s *Session, v *view) (Message, error) {
	l := m.catalog.For(lang)
	v.L, v.Lang, v.Dir, v.Name, v.BaseURL, v.Session = l, lang, i18n.Dir(lang), u.Name, m.BaseURL, s
	var args []any
	if s != nil {
		v.SessionURL = fmt.Sprintf("%s/sessions/%d", m.BaseURL, s.ID)
		args = []any{"Course", s.Course, "Date", s.Date}
	}
	if v.Cert != nil {
		args = []any{"Course", v.Cert.CourseTitle, "Date", v.Cert.SessionDate}
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
