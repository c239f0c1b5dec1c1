package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/certify"
)

// Open Badges 3.0 (issue 24): every certificate is also a signed credential
// (certify builds and checks it); these are its HTTP faces: the download
// beside the PDF, the issuer's DID document and status lists that any
// verifier fetches, and the check of a credential someone presents.

// credentialLimit is the largest credential a verifier is asked to check: a
// Lectern credential is a few kilobytes, so anything near this is not one.
const credentialLimit = certify.MaxCredentialSize

// credentialShowAPI is the certificate as an Open Badges credential, named as
// its PDF is with .json, to the same people as the PDF (certify.Credential).
func (s *Server) credentialShowAPI(c echo.Context) error {
	ctx, a, serial := c.Request().Context(), actor(c), c.Param("serial")
	doc, cert, err := s.certs.Credential(ctx, a, serial)
	if err != nil {
		return err
	}
	setAttachment(c, strings.TrimSuffix(certify.FileName(cert, "", ""), ".pdf")+".json")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}

// issuerDocument is the DID document of the issuer's did:web: the keys that
// sign credentials. Served at /.well-known/did.json and, for a base URL with
// a path (did:web:host:path resolves to https://host/path/did.json, which a
// proxy passes on without the prefix), at /did.json. Public; verifiers cache
// it briefly.
func (s *Server) issuerDocument(c echo.Context) error {
	doc, err := s.certs.IssuerDocument(c.Request().Context())
	if err != nil {
		return err
	}
	return publicJSON(c, "public, max-age=300", doc)
}

// statusListShow is status list n, the revocation bits of the credentials
// that name it. A revocation must reach the next verifier, so caches keep it
// only to revalidate it by its ETag.
func (s *Server) statusListShow(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 || strconv.Itoa(n) != c.Param("n") {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	doc, err := s.certs.StatusList(c.Request().Context(), n)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(doc)
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"` // weak: it may go out gzipped (compress.go)
	c.Response().Header().Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		c.Response().Header().Set("Cache-Control", "public, no-cache")
		return c.NoContent(http.StatusNotModified)
	}
	return publicJSON(c, "public, no-cache", doc)
}

// publicJSON sends a public document that any site's verifier may fetch.
func publicJSON(c echo.Context, cacheControl string, doc []byte) error {
	h := c.Response().Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("Access-Control-Allow-Origin", "*")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}

// credentialCheckAPI checks a credential sent as the body, for machines (an
// HR system, a wallet): anyone may ask, within the verify limit per address.
func (s *Server) credentialCheckAPI(c echo.Context) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	switch mt {
	case echo.MIMEApplicationJSON, "application/ld+json", "application/vc", "application/vc+ld+json":
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, apperr.Message("err.http.json_content_type"))
	}
	data, err := readLimited(c.Request().Body)
	if err != nil {
		return err
	}
	check, err := s.checkCredential(c.Request().Context(), data)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	out := credentialCheckJSON{Valid: check.Valid, Status: check.Status, Serial: check.Serial, Certificate: check.Certificate}
	if check.Reason.ID != "" {
		out.Reason, out.ReasonID, out.ReasonArgs = check.Reason.In(l), check.Reason.ID, check.Reason.ArgMap()
	}
	return c.JSON(http.StatusOK, out)
}

// credentialCheckJSON is the API's answer about a presented credential. The
// reason is worded like an error's message (in the request's language, with
// the catalogue id and arguments for a client that words it itself).
type credentialCheckJSON struct {
	Valid       bool            `json:"valid"`
	Status      string          `json:"status"` // valid, revoked, expired, erased or not_valid
	Serial      string          `json:"serial,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	ReasonID    string          `json:"reason_id,omitempty"`
	ReasonArgs  map[string]any  `json:"reason_args,omitempty"`
	Certificate *certify.Public `json:"certificate,omitempty"`
}

// checkCredential is certify.CheckCredential, at most cap(s.checks) at a time
// (half the cores). A presented credential is canonicalized whole before its
// signature can fail: a real one costs about 3 ms of CPU; before internal/vc
// bounded canonicalization, the largest accepted (256 KB) took 2.4 s
// (BENCHMARKS.md). Anyone may ask, so whatever a check costs, a flood of them
// must not take every core from the quizzes; a check that finds no turn
// within checkWait is refused with a Retry-After.
func (s *Server) checkCredential(ctx context.Context, data []byte) (*certify.CredentialCheck, error) {
	wait := time.NewTimer(s.checkWait)
	defer wait.Stop()
	select {
	case s.checks <- struct{}{}:
	case <-wait.C:
		s.log.Warn("credential check refused: every check slot busy", "waited", s.checkWait)
		return nil, tooMany(s.checkWait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.checks }()
	return s.certs.CheckCredential(ctx, data)
}

// readLimited reads a presented credential, refusing one over credentialLimit
// with a 413 that says so.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, credentialLimit+1))
	if err != nil {
		return nil, tooLarge(err)
	}
	if len(data) > credentialLimit {
		return nil, errCredentialTooLarge
	}
	return data, nil
}

var errCredentialTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, apperr.Message("err.credential.too_large", "Max", "256 KB"))

// verifyView is the verify page: the certificate its serial names and, once a
// credential was presented there, what its check found.
type verifyView struct {
	*certify.Public
	Check *credentialCheckView
	// Pasted is the text pasted, kept in the form beside the result.
	Pasted string
	// FormError refuses the form itself (nothing presented, too large), in
	// the page's language.
	FormError string
}

// credentialCheck is the verify page's form: a credential pasted or uploaded
// (multipart, or urlencoded when pasted by a client without the page), checked
// and shown on the certificate's page, with whether it is this certificate's.
func (s *Server) credentialCheck(c echo.Context) error {
	pub, err := s.certs.Verify(c.Request().Context(), c.Param("serial"))
	if err != nil {
		return err
	}
	l := s.localizer(c)
	v := verifyView{Public: pub, Pasted: c.FormValue("credential")}
	data, status, refused, err := s.presented(c, v.Pasted)
	if err != nil {
		return err
	}
	if refused != "" {
		v.FormError = refused
		if status == http.StatusRequestEntityTooLarge {
			v.Pasted = "" // not sent back whole
		}
		return s.render(c, status, "verify.html", l.T("verify.title"), v)
	}
	check, err := s.checkCredential(c.Request().Context(), data)
	if de, ok := refusal(err, apperr.CodeInvalid); ok { // not JSON
		v.FormError = s.userMessage(c, de)
		return s.render(c, domainStatus[de.Code], "verify.html", l.T("verify.title"), v)
	} else if err != nil {
		return err
	}
	v.Check = &credentialCheckView{CredentialCheck: check}
	if check.Reason.ID != "" {
		v.Check.Reason = check.Reason.In(l)
	}
	return s.render(c, http.StatusOK, "verify.html", l.T("verify.title"), v)
}

// credentialCheckView is a check's result on the page, its reason worded.
type credentialCheckView struct {
	*certify.CredentialCheck
	Reason string
}

// presented is the credential of the verify form: the file chosen, or the
// text pasted. A form the page refuses itself comes back as a status and its
// message in the page's language: neither given (422), both (400), over
// credentialLimit (413).
func (s *Server) presented(c echo.Context, pasted string) (data []byte, status int, refused string, err error) {
	l := s.localizer(c)
	tooBig := errCredentialTooLarge.Message.(apperr.Msg).In(l)
	fh, err := c.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || err == nil && fh.Size == 0 {
		fh = nil
	} else if err != nil {
		return nil, 0, "", tooLarge(err)
	}
	pasted = strings.TrimSpace(pasted)
	switch {
	case fh != nil && pasted != "":
		return nil, http.StatusBadRequest, l.T("verify.check.both"), nil
	case fh == nil && pasted == "":
		return nil, http.StatusUnprocessableEntity, l.T("verify.check.empty"), nil
	case fh == nil && len(pasted) > credentialLimit, fh != nil && fh.Size > credentialLimit:
		return nil, http.StatusRequestEntityTooLarge, tooBig, nil
	case fh == nil:
		return []byte(pasted), 0, "", nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, 0, "", fmt.Errorf("open the uploaded credential: %w", err)
	}
	defer f.Close()
	data, err = readLimited(f)
	if errors.Is(err, errCredentialTooLarge) {
		return nil, http.StatusRequestEntityTooLarge, tooBig, nil
	}
	return data, 0, "", err
}
