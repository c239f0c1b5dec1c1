package privacy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

// ExportFormat names the layout of data.json; docs/api.md ("My data")
// describes its keys. A change that renames or removes a key gets a new one.
const ExportFormat = "lectern-personal-data/1"

// ExportAction is the audit log's action for an export, recorded with the
// actor and the person whose data it is.
const ExportAction = "user.data_export"

// exportPage is how many rows of a long history (audit entries, e-mails,
// failed sign-ins) are read at a time: memory stays flat however long it is.
const exportPage = 500

// Exporter writes everything Lectern holds about one person as one ZIP:
// data.json (every record, machine-readable: GDPR Art. 20), their certificates
// as PDFs, and a README.txt in their language saying what each file is
// (Art. 15). A person exports their own; an admin anyone's. Every export is
// audited.
type Exporter struct {
	db  *store.DB
	o   ExportOptions
	Now func() time.Time
}

// ExportOptions are the Exporter's collaborators, given by internal/app.
type ExportOptions struct {
	// Accounts applies the one rule on users: one the actor cannot see is not
	// found (auth.Service).
	Accounts Users
	// Attempt returns one attempt as its owner sees it through the API (GET
	// /api/v1/attempts/{id}): the questions as pinned when it started, the
	// answers, the result, and the right answers only when the quiz's review
	// policy shows them to the owner — an export must not hand out a key a
	// running quiz still hides. internal/app passes attempt.Service.Get.
	Attempt func(ctx context.Context, a *auth.Actor, id int64) (any, error)
	// Certificates renders certificate PDFs (certify.Service); nil, without
	// a signing key: data.json lists the certificates, without PDFs.
	Certificates CertificatePDFs
	// CertificateStatus reads a certificate's standing at now (valid,
	// expiring, expired, revoked) as every page does: certify.Status. Nil:
	// the stored status.
	CertificateStatus func(stored store.CertificateStatus, expiresAt *time.Time, now time.Time) string
	// Catalog words README.txt in the person's language.
	Catalog *i18n.Catalog
	// Policy gives README.txt the controller's address for questions.
	Policy Policy
	// BaseURL is where certificates are verified (README.txt).
	BaseURL string
	Log     *slog.Logger
}

// Users is the one rule on who may see a user.
type Users interface {
	User(ctx context.Context, a *auth.Actor, id int64) (*auth.User, error)
}

// CertificatePDFs renders a stored certificate as issued, revoked or not.
type CertificatePDFs interface {
	RecordPDF(w io.Writer, c *store.Certificate) error
}

// NewExporter returns the exporter.
func NewExporter(db *store.DB, o ExportOptions) *Exporter {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Exporter{db: db, o: o, Now: func() time.Time { return time.Now().UTC() }}
}

// Export is one export, authorised and audited, ready to be written.
type Export struct {
	// FileName is the download's name: lectern-data-ID-DATE.zip.
	FileName string
	user     *store.User
	at       time.Time
}

// Prepare checks that the actor may export the user's data and records that
// they did, before a byte is sent, so a refusal still gets its status. Anyone
// signed in exports their own; an admin anyone's. A user the actor cannot see
// is not found; one they can see (a coordinator's officer) is forbidden.
func (e *Exporter) Prepare(ctx context.Context, a *auth.Actor, userID int64) (*Export, error) {
	if a == nil {
		return nil, auth.Authorize(nil, auth.ActUserRead)
	}
	if userID != a.UserID {
		if _, err := e.o.Accounts.User(ctx, a, userID); err != nil {
			return nil, err
		}
		if a.Role != auth.RoleAdmin {
			return nil, apperr.Forbidden("err.auth.role_forbidden")
		}
	}
	u, err := e.db.User(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("export data of user %d: %w", userID, err)
	}
	now := e.Now()
	err = e.db.Tx(ctx, func(q store.Q) error {
		return q.Audit(&store.AuditEvent{At: now, ActorID: &a.UserID, Action: ExportAction, UserID: &userID, After: "{}"})
	})
	if err != nil {
		return nil, fmt.Errorf("audit data export of user %d: %w", userID, err)
	}
	e.o.Log.Info("personal data exported", "user", userID, "by", a.UserID)
	return &Export{FileName: fmt.Sprintf("lectern-data-%d-%s.zip", userID, now.Format("2006-01-02")), user: u, at: now}, nil
}

// WriteZIP streams the export: data.json written record by record, then each
// certificate's PDF (rendered one at a time), then README.txt. Nothing is held
// whole but one PDF.
func (e *Exporter) WriteZIP(ctx context.Context, w io.Writer, ex *Export) error {
	zw := zip.NewWriter(w)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "data.json", Method: zip.Deflate, Modified: ex.at})
	if err != nil {
		return fmt.Errorf("zip data.json: %w", err)
	}
	certs, err := e.writeData(ctx, fw, ex)
	if err != nil {
		return fmt.Errorf("write data.json of user %d: %w", ex.user.ID, err)
	}
	if e.o.Certificates != nil {
		var doc bytes.Buffer
		for i := range certs {
			c := &certs[i]
			doc.Reset()
			if err := e.o.Certificates.RecordPDF(&doc, c); err != nil {
				return err
			}
			// PDFs are compressed already: stored, not deflated again.
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: certificatePath(c.Serial), Method: zip.Store, Modified: c.IssuedAt})
			if err != nil {
				return fmt.Errorf("zip certificate %s: %w", c.Serial, err)
			}
			if _, err := fw.Write(doc.Bytes()); err != nil {
				return fmt.Errorf("zip certificate %s: %w", c.Serial, err)
			}
		}
	}
	fw, err = zw.CreateHeader(&zip.FileHeader{Name: "README.txt", Method: zip.Deflate, Modified: ex.at})
	if err != nil {
		return fmt.Errorf("zip README.txt: %w", err)
	}
	if _, err := io.WriteString(fw, e.readme(ex, len(certs) > 0)); err != nil {
		return fmt.Errorf("zip README.txt: %w", err)
	}
	return zw.Close()
}

func certificatePath(serial string) string { return "certificates/" + serial + ".pdf" }

// readme says what each file is, in the person's language.
func (e *Exporter) readme(ex *Export, pdfs bool) string {
	cat := e.o.Catalog
	if cat == nil {
		var err error
		if cat, err = i18n.Default(); err != nil {
			e.o.Log.Error("README.txt without a catalogue", "err", err)
			return ExportFormat + "\n"
		}
	}
	l := cat.For(cat.Match(ex.user.Language))
	lines := []string{
		l.T("documents.mydata.title"),
		"",
		l.T("documents.mydata.generated", "Name", ex.user.Name, "Email", ex.user.Email, "Date", l.Date(ex.at)),
		"",
		l.T("documents.mydata.data_json"),
		"",
		l.T("documents.mydata.not_included"),
	}
	if pdfs {
		lines = append(lines, "", l.T("documents.mydata.certificates", "URL", strings.TrimRight(e.o.BaseURL, "/")+"/verify"), "", l.T("documents.mydata.revoked"))
	}
	if c := e.o.Policy.Controller; c.Email != "" || c.DPOEmail != "" {
		contact := c.DPOEmail
		if contact == "" {
			contact = c.Email
		}
		lines = append(lines, "", l.T("documents.mydata.questions", "Email", contact))
	}
	// CRLF: the file is for people, and Notepad on the borrowed laptop too.
	return strings.Join(lines, "\r\n") + "\r\n"
}

// jsonObject writes one JSON object a member at a time, indented, so that a
// long list is encoded element by element into the ZIP, never whole.
type jsonObject struct {
	w      *bufio.Writer
	fields int
	err    error
}

func (j *jsonObject) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonObject) encode(v any, indent string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, indent, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

func (j *jsonObject) key(name string) {
	if j.fields == 0 {
		j.raw("{\n")
	} else {
		j.raw(",\n")
	}
	j.fields++
	j.raw(`  "` + name + `": `)
}

// field writes one member.
func (j *jsonObject) field(name string, v any) {
	j.key(name)
	j.encode(v, "  ")
}

// list writes one member holding an array, its elements given one by one by
// fill through emit; an empty list is [].
func (j *jsonObject) list(name string, fill func(emit func(any)) error) {
	j.key(name)
	j.raw("[")
	n := 0
	err := fill(func(v any) {
		if n > 0 {
			j.raw(",")
		}
		n++
		j.raw("\n    ")
		j.encode(v, "    ")
	})
	if err != nil && j.err == nil {
		j.err = err
	}
	if n > 0 {
		j.raw("\n  ")
	}
	j.raw("]")
}

func (j *jsonObject) close() error {
	j.raw("\n}\n")
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}
