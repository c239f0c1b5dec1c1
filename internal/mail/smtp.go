package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/lectern-platform/lectern/internal/store"
)

// TLS modes of an smtp:// URL.
const (
	TLSRequired      = "required" // STARTTLS before anything else, or no sending
	TLSOpportunistic = "opportunistic"
	TLSNone          = "none"
)

// SMTPConfig is where and how the sender delivers; see the package comment for
// the URL it is parsed from.
type SMTPConfig struct {
	Host        string
	Port        int
	ImplicitTLS bool   // smtps://
	TLS         string // for smtp://: TLSRequired, TLSOpportunistic or TLSNone
	Username    string
	Password    string
	Auth        string // "" picks the strongest mechanism offered
	From        netmail.Address
	// TLSConfig replaces the default (system roots, server name = Host); tests use
	// it to trust their own certificate authority.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP exchange; zero means 30 seconds.
	Timeout time.Duration
}

var authTypes = map[string]gomail.SMTPAuthType{
	"plain":         gomail.SMTPAuthPlain,
	"login":         gomail.SMTPAuthLogin,
	"cram-md5":      gomail.SMTPAuthCramMD5,
	"scram-sha-1":   gomail.SMTPAuthSCRAMSHA1,
	"scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
}

// ParseSMTPURL reads LECTERN_SMTP_URL.
func ParseSMTPURL(raw string) (*SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", redactErr(err))
	}
	c := &SMTPConfig{Host: u.Hostname(), TLS: TLSRequired}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return nil, fmt.Errorf("SMTP URL: scheme must be smtp:// (STARTTLS) or smtps:// (TLS), not %q", u.Scheme)
	}
	if c.Host == "" {
		return nil, fmt.Errorf("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("SMTP URL: bad port %q", p)
		}
		c.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	for k := range q {
		switch k {
		case "from", "tls", "auth":
		default:
			return nil, fmt.Errorf("SMTP URL: unknown parameter %q (from, tls, auth)", k)
		}
	}
	if t := q.Get("tls"); t != "" {
		if c.ImplicitTLS {
			return nil, fmt.Errorf("SMTP URL: tls= is for smtp://; smtps:// is always TLS")
		}
		if t != TLSRequired && t != TLSOpportunistic && t != TLSNone {
			return nil, fmt.Errorf("SMTP URL: tls must be required, opportunistic or none, not %q", t)
		}
		c.TLS = t
	}
	if a := strings.ToLower(q.Get("auth")); a != "" {
		if _, ok := authTypes[a]; !ok {
			return nil, fmt.Errorf("SMTP URL: unknown auth %q (plain, login, cram-md5, scram-sha-1, scram-sha-256)", a)
		}
		if c.Username == "" {
			return nil, fmt.Errorf("SMTP URL: auth= needs a user name")
		}
		c.Auth = a
	}
	from := q.Get("from")
	if from == "" && strings.Contains(c.Username, "@") {
		from = c.Username
	}
	if from == "" {
		return nil, fmt.Errorf("SMTP URL: name the sender with ?from=noreply@example.org")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: from=%q is not an address: %w", from, err)
	}
	c.From = *addr
	return c, nil
}

// redactErr keeps a password in a malformed URL out of error messages and logs:
// url.Parse quotes the whole URL.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// String describes the server without the password, for logs and the outbox page.
func (c *SMTPConfig) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: c.Host + ":" + strconv.Itoa(c.Port)}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	s := u.String()
	if !c.ImplicitTLS && c.TLS != TLSRequired {
		s += " (tls=" + c.TLS + ")"
	}
	return s + ", from " + c.From.String()
}

func (c *SMTPConfig) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 30 * time.Second
}

// client builds a go-mail client for the configuration.
func (c *SMTPConfig) client() (*gomail.Client, error) {
	tlsConfig := c.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.timeout()), gomail.WithTLSConfig(tlsConfig)}
	switch {
	case c.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case c.TLS == TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case c.TLS == TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover // never PLAIN or LOGIN in the clear
		if c.Auth != "" {
			auth = authTypes[c.Auth]
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	cl, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", c.Host, err)
	}
	return cl, nil
}

// mime builds the MIME message of an outbox row: multipart/alternative text and
// HTML, then the attachments.
func (c *SMTPConfig) mime(m *store.OutboxMessage, now time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	from := c.From
	msg.FromMailAddress(&from)
	msg.ToMailAddress(&netmail.Address{Name: m.ToName, Address: m.ToAddress})
	msg.Subject(m.Subject)
	// One Message-ID for every attempt: a receiver can drop a duplicate if a
	// process died between sending and recording it.
	msg.SetMessageIDWithValue(fmt.Sprintf("lectern-outbox-%d.%d@%s", m.ID, m.CreatedAt.Unix(), domainOf(from.Address)))
	msg.SetDateWithValue(now)
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	if m.Language != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	if m.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return "lectern.invalid"
}

// conn is one SMTP connection for one pass over the due messages, dialled when
// the first message needs it and dropped after an error so the next message
// starts clean. When the server cannot be reached, the rest of the pass fails
// with the same error rather than waiting for a timeout per message.
type conn struct {
	cfg     *SMTPConfig
	client  *gomail.Client
	dialErr error
}

func (k *conn) send(ctx context.Context, msg *gomail.Msg) error {
	if k.dialErr != nil {
		return k.dialErr
	}
	if k.client == nil {
		cl, err := k.cfg.client()
		if err != nil {
			k.dialErr = err
			return err
		}
		if err := cl.DialWithContext(ctx); err != nil {
			k.dialErr = fmt.Errorf("connect to %s:%d: %w", k.cfg.Host, k.cfg.Port, err)
			return k.dialErr
		}
		k.client = cl
	}
	if err := k.client.Send(msg); err != nil {
		k.close()
		return err
	}
	return nil
}

func (k *conn) close() {
	if k.client != nil {
		_ = k.client.Close() // the messages are recorded already; a failed QUIT changes nothing
		k.client = nil
	}
}
