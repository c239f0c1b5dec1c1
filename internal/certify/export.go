package certify

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// PDF writes one certificate the actor may see as a signed PDF. A revoked
// certificate is not handed out again: offline, its PDF would still look valid.
func (s *Service) PDF(ctx context.Context, a *auth.Actor, serial string, w io.Writer) (*Certificate, error) {
	c, err := s.get(ctx, a, serial)
	if err != nil {
		return nil, err
	}
	if c.Status == store.CertificateRevoked {
		return nil, apperr.Conflict("err.certificate.revoked_no_pdf", "Reason", c.RevocationReason)
	}
	if c.ErasedAt != nil { // no name, no signed payload: nothing to print
		return nil, apperr.Conflict("err.certificate.erased_no_pdf")
	}
	doc, err := s.renderCached(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(doc); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Serial, err)
	}
	v := s.memberView(c)
	return &v, nil
}

// RecordPDF writes a stored certificate's PDF as it was issued, revoked or
// not, for its holder's copy of their own records (the personal-data export,
// which says beside it which are revoked); the caller has decided who may have
// it. Everywhere else a revoked certificate is refused (PDF).
func (s *Service) RecordPDF(w io.Writer, c *store.Certificate) error {
	if err := s.signer.WritePDF(w, c, s.BaseURL); err != nil {
		return fmt.Errorf("certificate %s: %w", c.Serial, err)
	}
	return nil
}

// Export is a session's certificates as the actor may download them: all of them
// for the session's trainers and admins, the agency's for a coordinator. Officers have none
// to download in bulk (their own is one PDF).
type Export struct {
	// Date and City are the session's, for a caller's summary of the export
	// (empty for an agency's).
	Date, City string
	certs      []store.Certificate
	people     map[int64]store.User
	// courseAndDate names files with the course and session date too.
	courseAndDate bool
}

// Len is how many certificates the export holds.
func (ex *Export) Len() int { return len(ex.certs) }

// PrepareExport checks the actor may export the session's certificates and lists
// them, before a single byte of the ZIP is sent: errors still get a status code.
func (s *Service) PrepareExport(ctx context.Context, a *auth.Actor, sessionID int64) (*Export, error) {
	q := s.db.Read(ctx)
	ts, err := s.sessions.Session(q, a, sessionID, auth.ActSessionRead, false)
	if err != nil {
		return nil, err
	}
	f := store.CertificateFilter{SessionID: &sessionID}
	scope, ok := a.SessionScope(ts.TrainerIDs())
	if !ok {
		return nil, apperr.Forbidden("err.certificate.download_forbidden")
	}
	f.AgencyID = scope
	certs, err := q.Certificates(f)
	if err != nil {
		return nil, err
	}
	// Revoked certificates stay out of exports (see PDF), as do those whose
	// holder's name was erased; expired ones are records of what happened
	// and go in.
	certs = slices.DeleteFunc(certs, func(c store.Certificate) bool {
		return c.Status == store.CertificateRevoked || c.ErasedAt != nil
	})
	ex, err := s.export(q, certs)
	if err != nil {
		return nil, err
	}
	ex.Date, ex.City = ts.Date, ts.City
	return ex, nil
}

// PrepareAgencyExport is PrepareExport for an agency's ZIP (its coordinators
// and the admins; auth.AgencyFor decides): every certificate of the agency
// valid today, across sessions and years, expiring ones included. Unlike a
// session's, it leaves the expired out as well as the revoked: it is what the
// agency's officers can still show. An agency holding none gets a conflict
// saying so, not an empty ZIP.
func (s *Service) PrepareAgencyExport(ctx context.Context, a *auth.Actor, agencyID int64) (*Export, error) {
	q := s.db.Read(ctx)
	if _, err := auth.AgencyFor(q, a, agencyID, auth.ActAgencyRecord); err != nil {
		return nil, err
	}
	certs, err := q.Certificates(store.CertificateFilter{AgencyID: &agencyID})
	if err != nil {
		return nil, fmt.Errorf("export agency %d: %w", agencyID, err)
	}
	now := s.Now()
	// Like a session's ZIP, none whose holder's name was erased (see PDF).
	certs = slices.DeleteFunc(certs, func(c store.Certificate) bool {
		return !inAgencyZIP(Status(c.Status, c.ExpiresAt, now)) || c.ErasedAt != nil
	})
	if len(certs) == 0 {
		return nil, apperr.Conflict("err.certificate.agency_none_valid")
	}
	ex, err := s.export(q, certs)
	if err != nil {
		return nil, err
	}
	// One agency's officers hold several certificates each, of several
	// courses and days: the file names say which.
	ex.courseAndDate = true
	return ex, nil
}

// export holds certs (read as of now) with their holders' recorded names.
func (s *Service) export(q store.Q, certs []store.Certificate) (*Export, error) {
	ids := make([]int64, 0, len(certs))
	for i := range certs {
		s.view(&certs[i])
		ids = append(ids, certs[i].UserID)
	}
	users, err := q.UsersByIDs(ids)
	if err != nil {
		return nil, err
	}
	people := make(map[int64]store.User, len(users))
	for _, u := range users {
		people[u.ID] = u
	}
	return &Export{certs: certs, people: people}, nil
}

// ExtraFile is a file written into the ZIP after the certificates (results.csv).
type ExtraFile struct {
	Name  string
	Write func(io.Writer) error
}

// WriteZIP streams the export: one PDF per certificate, each followed by its
// Open Badges credential (the same name, .json), then the extra files.
// The PDFs are rendered in parallel, on every core, but written in the
// export's order; at most a small window of them (renderWindow) is rendered
// ahead of the writer, so memory stays flat however many there are. When ctx
// ends (the client left) no further render starts and WriteZIP returns its
// error; a render that fails stops the ZIP with that certificate's error.
// A PDF rendered before comes from the cache of rendered PDFs (lookup); the
// ones rendered here are kept there, keepBatch to a transaction.
// progress, if set, is told after each certificate is written.
func (s *Service) WriteZIP(ctx context.Context, w io.Writer, ex *Export, extras []ExtraFile, progress func(done, total int)) error {
	zw := zip.NewWriter(w)
	// fresh[i] is certificate i's render if it is to be kept in the cache:
	// each set by its render, read by the writer after the render's result
	// (the channel between them orders the two). The writer keeps them
	// keepBatch at a time, in one transaction each; what the ZIP rendered
	// before an error or the client leaving is kept too.
	fresh := make([]*freshPDF, len(ex.certs))
	// creds[i] is certificate i's credential, set and read like fresh[i].
	creds := make([][]byte, len(ex.certs))
	var batch []freshPDF
	defer func() { s.keep(ctx, batch) }()
	m := newMemo()
	err := inOrder(ctx, len(ex.certs), renderWindow(), func(i int) ([]byte, error) {
		r, err := s.lookup(ctx, &ex.certs[i], true, m)
		fresh[i], creds[i] = r.fresh, r.cred
		return r.pdf, err
	}, func(i int, doc []byte) error {
		c := &ex.certs[i]
		if f := fresh[i]; f != nil {
			fresh[i] = nil
			if batch = append(batch, *f); len(batch) == keepBatch {
				s.keep(ctx, batch)
				batch = nil
			}
		}
		name := ex.fileName(c)
		// PDFs are compressed already: store them, do not deflate them again.
		if err := zipFile(zw, name, zip.Store, c.IssuedAt, doc); err != nil {
			return fmt.Errorf("zip %s: %w", c.Serial, err)
		}
		// The Open Badges credential beside it, with the same base name.
		if err := zipFile(zw, strings.TrimSuffix(name, ".pdf")+".json", zip.Deflate, c.IssuedAt, creds[i]); err != nil {
			return fmt.Errorf("zip %s: %w", c.Serial, err)
		}
		creds[i] = nil
		if progress != nil {
			progress(i+1, len(ex.certs))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range extras {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: x.Name, Method: zip.Deflate, Modified: s.Now()})
		if err != nil {
			return fmt.Errorf("zip %s: %w", x.Name, err)
		}
		if err := x.Write(fw); err != nil {
			return fmt.Errorf("zip %s: %w", x.Name, err)
		}
	}
	return zw.Close()
}

// zipFile writes one file into the ZIP.
func zipFile(zw *zip.Writer, name string, method uint16, modified time.Time, data []byte) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
	if err != nil {
		return err
	}
	_, err = fw.Write(data)
	return err
}

// renderWindow is how many certificates may be rendering or rendered and
// waiting for the writer at once: one per core keeps every core busy, and one
// more lets the next render start while the writer is still sending.
func renderWindow() int { return runtime.GOMAXPROCS(0) + 1 }

// inOrder runs render(0) … render(n-1) on up to window goroutines at once and
// hands each result to write in index order, one at a time, from the calling
// goroutine. A render waits for a place in the window, so no more than window
// results are held at once. The first error (of a render, of write, or ctx's)
// stops new renders and is returned once the renders under way have ended: no
// goroutine outlives the call.
func inOrder(ctx context.Context, n, window int, render func(int) ([]byte, error), write func(int, []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		doc []byte
		err error
	}
	// pending holds, in index order, the channel each started render will
	// answer on: the writer holds one, the channel the rest of the window.
	pending := make(chan chan result, max(window-1, 0))
	var wg sync.WaitGroup
	// Cancel first: it stops the feeder, which may be waiting for a place in
	// the window, then wait for the renders under way.
	defer func() {
		cancel()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(pending)
		for i := range n {
			out := make(chan result, 1)
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil { // select picks at random when both are ready
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				doc, err := render(i)
				out <- result{doc, err}
			}()
		}
	}()
	i := 0
	for out := range pending {
		var r result
		select {
		case r = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := write(i, r.doc); err != nil {
			return err
		}
		i++
	}
	if i < n { // the feeder stopped early: ctx ended
		return ctx.Err()
	}
	return nil
}

// fileName names a certificate in the ZIP, with the holder's recorded names.
func (ex *Export) fileName(c *store.Certificate) string {
	u := ex.people[c.UserID]
	var middle []string
	if ex.courseAndDate {
		middle = []string{c.CourseID, c.SessionDate}
	}
	return fileName(viewOf(c), u.FamilyName, u.GivenName, middle...)
}

// FileName is "Surname_Given_SERIAL.pdf", from the Latin-letter name when the
// holder has one, else the family and given names recorded for the holder (empty
// when unknown), else a split of the full name; safe on every operating system:
// letters and digits of any script (ZIP marks the names UTF-8), hyphens, and "_"
// for everything else.
func FileName(c *Certificate, family, given string) string {
	return fileName(c, family, given)
}

// fileName is FileName with more parts (an agency ZIP's course and date)
// before the serial, which keeps every name unique.
func fileName(c *Certificate, family, given string, middle ...string) string {
	switch {
	case c.LatinName != "":
		family, given = splitName(c.LatinName)
	case family == "" && given == "":
		family, given = splitName(c.HolderName)
	}
	var parts []string
	for _, p := range append([]string{family, given}, middle...) {
		if p = safePart(p); p != "" {
			parts = append(parts, p)
		}
	}
	parts = append(parts, c.Serial)
	return strings.Join(parts, "_") + ".pdf"
}

// splitName takes the last word as the surname. It is a guess, used only when the
// holder has no family/given names recorded; the serial keeps file names unique.
func splitName(name string) (family, given string) {
	words := strings.Fields(name)
	if len(words) < 2 {
		return name, ""
	}
	return words[len(words)-1], strings.Join(words[:len(words)-1], " ")
}

func safePart(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range norm.NFC.String(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-':
			b.WriteRune(r)
			underscore = false
		case !underscore && b.Len() > 0:
			b.WriteByte('_')
			underscore = true
		}
	}
	out := []rune(strings.Trim(b.String(), "_-"))
	if len(out) > 40 { // keep whole paths under every OS's limits
		out = out[:40]
	}
	return strings.Trim(string(out), "_-")
}
