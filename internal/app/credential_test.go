package app

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
	"github.com/lectern-platform/lectern/internal/vc"
)

// credentialOf is what the tests read of a credential.
type credentialOf struct {
	ID     string `json:"id"`
	Issuer struct {
		ID string `json:"id"`
	} `json:"issuer"`
	Name              string `json:"name"`
	ValidFrom         string `json:"validFrom"`
	ValidUntil        string `json:"validUntil"`
	CredentialSubject struct {
		Identifier []struct {
			IdentityHash string `json:"identityHash"`
			IdentityType string `json:"identityType"`
			Hashed       bool   `json:"hashed"`
			Salt         string `json:"salt"`
		} `json:"identifier"`
		Achievement struct {
			Name     string `json:"name"`
			Criteria struct {
				Narrative string `json:"narrative"`
			} `json:"criteria"`
			CreditsAvailable float64 `json:"creditsAvailable"`
		} `json:"achievement"`
	} `json:"credentialSubject"`
	CredentialStatus struct {
		ID                   string `json:"id"`
		StatusListIndex      string `json:"statusListIndex"`
		StatusListCredential string `json:"statusListCredential"`
	} `json:"credentialStatus"`
}

// issuerResolver resolves verification methods through the issuer's DID
// document, as a verifier who fetched it would.
func issuerResolver(t *testing.T, a *App) func(string) (ed25519.PublicKey, error) {
	t.Helper()
	doc, err := a.Certs.IssuerDocument(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var did struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID                 string `json:"id"`
			Type               string `json:"type"`
			Controller         string `json:"controller"`
			PublicKeyMultibase string `json:"publicKeyMultibase"`
		} `json:"verificationMethod"`
		AssertionMethod []string `json:"assertionMethod"`
	}
	if err := json.Unmarshal(doc, &did); err != nil {
		t.Fatal(err)
	}
	if did.ID != "did:web:lectern.example" || len(did.VerificationMethod) != 1 || len(did.AssertionMethod) != 1 ||
		did.AssertionMethod[0] != did.VerificationMethod[0].ID || did.VerificationMethod[0].Controller != did.ID ||
		did.VerificationMethod[0].Type != "Multikey" {
		t.Fatalf("DID document %s", doc)
	}
	return func(method string) (ed25519.PublicKey, error) {
		for _, vm := range did.VerificationMethod {
			if vm.ID == method {
				return vc.Ed25519FromMultikey(vm.PublicKeyMultibase)
			}
		}
		return nil, fmt.Errorf("%s is not in the DID document", method)
	}
}

// statusBit reads a certificate's bit from the status list its credential
// names, as served, after checking the list's own proof.
func statusBit(t *testing.T, a *App, cred credentialOf, resolve func(string) (ed25519.PublicKey, error)) bool {
	t.Helper()
	n, err := strconv.Atoi(cred.CredentialStatus.StatusListCredential[strings.LastIndex(cred.CredentialStatus.StatusListCredential, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	doc, err := a.Certs.StatusList(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vc.Verify(doc, resolve); err != nil {
		t.Fatalf("status list %d: %v", n, err)
	}
	var list struct {
		ID                string `json:"id"`
		CredentialSubject struct {
			StatusPurpose string `json:"statusPurpose"`
			EncodedList   string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(doc, &list); err != nil {
		t.Fatal(err)
	}
	if list.ID != cred.CredentialStatus.StatusListCredential || list.CredentialSubject.StatusPurpose != "revocation" {
		t.Fatalf("status list %s", doc)
	}
	bits, err := vc.DecodeStatusList(list.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatal(err)
	}
	index, err := strconv.Atoi(cred.CredentialStatus.StatusListIndex)
	if err != nil {
		t.Fatal(err)
	}
	set, err := vc.StatusBit(bits, index)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// closedDay closes a day of crypto-crime with n eligible officers and
// returns their certificates' serials and the officers by serial.
func closedDay(t *testing.T, a *App, library *course.Library, n int) (*auth.Actor, []certify.Certificate) {
	t.Helper()
	ctx := context.Background()
	admin, s, _ := dayToClose(t, a, library, n, 0)
	if issued, err := a.Certs.CloseSession(ctx, admin, s.ID); err != nil || issued != n {
		t.Fatalf("close: %d issued, %v", issued, err)
	}
	certs, err := a.Certs.List(ctx, admin, certify.Filter{SessionID: &s.ID})
	if err != nil || len(certs) != n {
		t.Fatalf("certificates %v, %v", certs, err)
	}
	return admin, certs
}

func decodeCredential(t *testing.T, doc []byte) credentialOf {
	t.Helper()
	var c credentialOf
	if err := json.Unmarshal(doc, &c); err != nil {
		t.Fatalf("credential: %v\n%s", err, doc)
	}
	return c
}

func testCredentials(t *testing.T, dsn string) {
	ctx := context.Background()
	a, db, library := certifyingApp(t, dsn)
	admin, certs := closedDay(t, a, library, 2)
	resolve := issuerResolver(t, a)
	creds := make([]credentialOf, len(certs))
	for i, c := range certs {
		doc, _, err := a.Certs.Credential(ctx, admin, c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := vc.Verify(doc, resolve)
		if err != nil {
			t.Fatalf("credential of %s does not verify: %v\n%s", c.Serial, err, doc)
		}
		if want := "did:web:lectern.example#" + a.opts.Signer.KeyID; proof.VerificationMethod != want || !proof.Created.Equal(c.IssuedAt.Truncate(time.Second)) {
			t.Errorf("proof %+v, want %s created at issue", proof, want)
		}
		cred := decodeCredential(t, doc)
		creds[i] = cred
		u, err := db.User(ctx, c.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(bytes.ToLower(doc), []byte(strings.ToLower(u.Email))) {
			t.Errorf("credential of %s holds the e-mail address", c.Serial)
		}
		ids := cred.CredentialSubject.Identifier
		if len(ids) != 2 || ids[0].IdentityType != "emailAddress" || !ids[0].Hashed ||
			ids[0].IdentityHash != store.EmailIdentityHash(u.Email, ids[0].Salt) || ids[1].IdentityHash != c.HolderName || ids[1].Hashed {
			t.Errorf("holder identified as %+v", ids)
		}
		if cred.ID != "https://lectern.example/verify/"+c.Serial || cred.Issuer.ID != "did:web:lectern.example" || cred.Name != c.Title ||
			cred.CredentialSubject.Achievement.Name != c.CourseTitle || cred.CredentialSubject.Achievement.CreditsAvailable != float64(c.Minutes)/60 {
			t.Errorf("credential %s", doc)
		}
		// The criteria name each quiz of the course and its pass mark.
		course, _ := library.Course(c.CourseID)
		for _, qz := range course.Quizzes() {
			if !strings.Contains(cred.CredentialSubject.Achievement.Criteria.Narrative, qz.Title) {
				t.Errorf("criteria %q do not name quiz %q", cred.CredentialSubject.Achievement.Criteria.Narrative, qz.Title)
			}
		}
		if statusBit(t, a, cred, resolve) {
			t.Errorf("certificate %s reads revoked before any revocation", c.Serial)
		}
		// The same credential, from the cache, with the same bytes.
		again, _, err := a.Certs.Credential(ctx, admin, c.Serial)
		if err != nil || !bytes.Equal(again, doc) {
			t.Errorf("second download differs (%v)", err)
		}
	}
	if creds[0].CredentialStatus.ID == creds[1].CredentialStatus.ID {
		t.Errorf("two certificates share the status entry %s", creds[0].CredentialStatus.ID)
	}
	signed := a.Certs.Signed()
	if signed != 2 {
		t.Errorf("signed %d credentials, want 2 (one each, then the cache)", signed)
	}

	if _, err := a.Certs.Revoke(ctx, admin, certs[0].Serial, "issued in error"); err != nil {
		t.Fatal(err)
	}
	if !statusBit(t, a, creds[0], resolve) {
		t.Error("revoked certificate's bit not set")
	}
	if statusBit(t, a, creds[1], resolve) {
		t.Error("the other certificate's bit is set too")
	}
	if _, _, err := a.Certs.Credential(ctx, admin, certs[0].Serial); !apperr.Is(err, apperr.CodeConflict) {
		t.Errorf("revoked certificate's credential: %v, want a conflict", err)
	}
	var cached int64
	if err := db.R.Model(&store.CertificateCredential{}).Where("serial = ?", certs[0].Serial).Count(&cached).Error; err != nil || cached != 0 {
		t.Errorf("revoked certificate's credential still cached (%d, %v)", cached, err)
	}
}

func TestCredential_VerifiesAndRevokes(t *testing.T) { testCredentials(t, testfixture.SQLite(t)) }

func TestCredential_VerifiesAndRevokes_PostgreSQL(t *testing.T) {
	testCredentials(t, testfixture.PostgresDSN(t))
}

// TestStatusList_RevocationOnAnotherProcess_PostgreSQL: two processes on one
// schema; once the second has served a status list, a revocation on the
// first is in the second's next list at once (its cached list is stale by
// the database's stamp).
func TestStatusList_RevocationOnAnotherProcess_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	apps, library := certifyingProcesses(t, testfixture.PostgresDSN(t), 2, Options{})
	admin, certs := closedDay(t, apps[0], library, 3)
	resolve := issuerResolver(t, apps[1])
	creds := make([]credentialOf, len(certs))
	for i, c := range certs {
		doc, _, err := apps[0].Certs.Credential(ctx, admin, c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		creds[i] = decodeCredential(t, doc)
		if statusBit(t, apps[1], creds[i], resolve) {
			t.Fatalf("%s revoked before any revocation", c.Serial)
		}
	}
	for round, c := range certs[:2] {
		if _, err := apps[0].Certs.Revoke(ctx, admin, c.Serial, "withdrawn"); err != nil {
			t.Fatal(err)
		}
		for i := range certs {
			if got, want := statusBit(t, apps[1], creds[i], resolve), i <= round; got != want {
				t.Errorf("after revocation %d, the other process reads %s revoked: %v, want %v", round+1, certs[i].Serial, got, want)
			}
		}
	}
	if _, err := apps[1].Certs.StatusList(ctx, 999); !apperr.Is(err, apperr.CodeNotFound) {
		t.Errorf("unknown status list: %v, want not found", err)
	}
}

// TestCheckCredential_Refusals: a presented credential is checked, and each
// way one fails has its own reason.
func TestCheckCredential_Refusals(t *testing.T) {
	ctx := context.Background()
	keyDir := t.TempDir()
	signer, _, err := certify.LoadOrCreateKey(keyDir, "")
	if err != nil {
		t.Fatal(err)
	}
	library := testfixture.Courses(t)
	a, err := New(testfixture.Open(t, testfixture.SQLite(t)), library, Options{BaseURL: "https://lectern.example", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	admin, certs := closedDay(t, a, library, 3)
	credential := func(serial string) []byte {
		doc, _, err := a.Certs.Credential(ctx, admin, serial)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	valid, revoked, expiring := credential(certs[0].Serial), credential(certs[1].Serial), credential(certs[2].Serial)
	if _, err := a.Certs.Revoke(ctx, admin, certs[1].Serial, "issued in error"); err != nil {
		t.Fatal(err)
	}

	// Another issuer with the same base URL (another key) and one with our
	// key but another database: validly signed, foreign key; validly
	// signed by us, for a certificate we never issued.
	other, _, otherLibrary := certifyingApp(t, testfixture.SQLite(t))
	otherAdmin, otherCerts := closedDay(t, other, otherLibrary, 1)
	foreign, _, err := other.Certs.Credential(ctx, otherAdmin, otherCerts[0].Serial)
	if err != nil {
		t.Fatal(err)
	}
	twin, err := New(testfixture.Open(t, testfixture.SQLite(t)), library, Options{BaseURL: "https://lectern.example", Signer: a.opts.Signer})
	if err != nil {
		t.Fatal(err)
	}
	twinAdmin, twinCerts := closedDay(t, twin, library, 1)
	unknown, _, err := twin.Certs.Credential(ctx, twinAdmin, twinCerts[0].Serial)
	if err != nil {
		t.Fatal(err)
	}

	altered := bytes.Replace(valid, []byte(certs[0].HolderName), []byte(certs[0].HolderName+"x"), 1)
	if bytes.Equal(altered, valid) {
		t.Fatal("the name is not in the credential")
	}
	unknownContext := bytes.Replace(valid, []byte("https://www.w3.org/ns/credentials/v2"), []byte("https://example.org/ctx"), 1)
	// Signed with our own key, yet saying what the record does not (only a
	// leaked key could make one): another validFrom, another issuer.
	var resignedAs func(change func(map[string]any), method string) []byte
	resigned := func(change func(map[string]any)) []byte {
		return resignedAs(change, "")
	}
	// resignedAs signs as method (empty: the service's own verification method).
	resignedAs = func(change func(map[string]any), method string) []byte {
		var m map[string]any
		if err := json.Unmarshal(valid, &m); err != nil {
			t.Fatal(err)
		}
		proof := m["proof"].(map[string]any)
		delete(m, "proof")
		change(m)
		unsigned, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if method == "" {
			method = proof["verificationMethod"].(string)
		}
		doc, err := vc.Sign(unsigned, signingKey(t, keyDir), vc.ProofOptions{VerificationMethod: method, Created: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	otherDate := resigned(func(m map[string]any) { m["validFrom"] = "2020-01-01T00:00:00Z" })
	otherIssuer := resigned(func(m map[string]any) { m["issuer"].(map[string]any)["id"] = "did:web:elsewhere.example" })
	// Each claim sameClaims compares, changed alone (review F10).
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	status := func(m map[string]any) map[string]any { return m["credentialStatus"].(map[string]any) }
	otherSerial := resigned(func(m map[string]any) { m["id"] = "https://lectern.example/verify/" + certs[2].Serial })
	otherUntil := resigned(func(m map[string]any) {
		until, err := time.Parse(time.RFC3339, m["validUntil"].(string))
		if err != nil {
			t.Fatal(err)
		}
		m["validUntil"] = until.AddDate(10, 0, 0).Format(time.RFC3339)
	})
	otherAchievement := resigned(func(m map[string]any) {
		subject(m)["achievement"].(map[string]any)["id"] = "https://lectern.example/courses/another#achievement"
	})
	otherIndex := resigned(func(m map[string]any) {
		i, err := strconv.Atoi(status(m)["statusListIndex"].(string))
		if err != nil {
			t.Fatal(err)
		}
		status(m)["statusListIndex"] = strconv.Itoa(i + 1)
	})
	otherList := resigned(func(m map[string]any) {
		status(m)["statusListCredential"] = "https://elsewhere.example/credentials/status/1"
	})
	otherName := resigned(func(m map[string]any) {
		for _, id := range subject(m)["identifier"].([]any) {
			if id := id.(map[string]any); id["identityType"] == "name" {
				id["identityHash"] = "Someone Else"
			}
		}
	})
	otherMethod := resignedAs(func(map[string]any) {}, "did:web:elsewhere.example#"+signer.KeyID)
	// What encoding/json and JSON-LD could read differently (review F3):
	// another context appended — a vendored one leaves the signed RDF as it
	// was (the proof still verifies) yet could redefine what Go reads; an
	// inline one vc refuses itself — another type; a key Go reads as id
	// and JSON-LD as no term is refused by vc.
	withContext := func(extra any) []byte {
		var m map[string]any
		if err := json.Unmarshal(valid, &m); err != nil {
			t.Fatal(err)
		}
		m["@context"] = append(m["@context"].([]any), extra)
		doc, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	vendoredContext := withContext("https://www.w3.org/ns/credentials/examples/v2")
	if _, err := vc.Verify(vendoredContext, issuerResolver(t, a)); err != nil {
		t.Fatalf("with a vendored context appended the proof should still verify: %v", err)
	}
	inlineContext := withContext(map[string]any{"@version": 1.1, "foo": "https://example.org/foo"})
	otherType := resigned(func(m map[string]any) { m["type"] = append(m["type"].([]any), "AchievementCredential") })

	for _, tc := range []struct {
		name   string
		data   []byte
		reason string
		status string
		now    time.Time
	}{
		{"valid", valid, "", "valid", time.Time{}},
		{"altered", altered, "err.credential.altered", certify.StatusNotValid, time.Time{}},
		{"unknown context", unknownContext, "err.credential.unknown_context", certify.StatusNotValid, time.Time{}},
		{"foreign key", foreign, "err.credential.foreign_key", certify.StatusNotValid, time.Time{}},
		{"our key, another date", otherDate, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another issuer", otherIssuer, "err.credential.foreign_issuer", certify.StatusNotValid, time.Time{}},
		{"our key, another real serial", otherSerial, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another validUntil", otherUntil, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another achievement", otherAchievement, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another status index", otherIndex, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another status list", otherList, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another name", otherName, "err.credential.differs", certify.StatusNotValid, time.Time{}},
		{"our key, another DID", otherMethod, "err.credential.foreign_key", certify.StatusNotValid, time.Time{}},
		{"vendored context appended", vendoredContext, "err.credential.unknown_context", certify.StatusNotValid, time.Time{}},
		{"inline context appended", inlineContext, "err.credential.unknown_context", certify.StatusNotValid, time.Time{}},
		{"a case variant of a key", bytes.Replace(valid, []byte(`"id": "https://lectern.example/verify/`), []byte(`"ID": "https://lectern.example/verify/`), 1),
			"err.credential.malformed", certify.StatusNotValid, time.Time{}},
		{"our key, another type", otherType, "err.credential.malformed", certify.StatusNotValid, time.Time{}},
		{"unknown certificate", unknown, "err.credential.unknown_certificate", certify.StatusNotValid, time.Time{}},
		{"revoked", revoked, "err.credential.revoked", "revoked", time.Time{}},
		{"expired", expiring, "err.credential.expired", "expired", time.Now().AddDate(10, 0, 0)},
		{"not a credential", []byte(`{"hello":"world"}`), "err.credential.malformed", certify.StatusNotValid, time.Time{}},
		{"JSON of another shape", []byte(`[{"type":"VerifiableCredential"}]`), "err.credential.malformed", certify.StatusNotValid, time.Time{}},
		{"a field of another type", bytes.Replace(valid, []byte(`"hashed": true`), []byte(`"hashed": "yes"`), 1), "err.credential.malformed", certify.StatusNotValid, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.now.IsZero() {
				a.Certs.Now = func() time.Time { return tc.now }
				defer func() { a.Certs.Now = func() time.Time { return time.Now().UTC() } }()
			}
			got, err := a.Certs.CheckCredential(ctx, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Valid != (tc.reason == "") || got.Reason.ID != tc.reason || got.Status != tc.status {
				t.Errorf("check: valid %v, status %q, reason %q; want status %q, reason %q", got.Valid, got.Status, got.Reason.ID, tc.status, tc.reason)
			}
		})
	}
	for _, tc := range []struct {
		name, id string
		data     []byte
	}{
		{"oversized", "err.credential.too_large", append(valid, bytes.Repeat([]byte(" "), certify.MaxCredentialSize)...)},
		{"not JSON", "err.credential.not_json", []byte("%PDF-1.4 not a credential")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Certs.CheckCredential(ctx, tc.data)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.CodeInvalid || len(ae.Details) != 1 || ae.Details[0].ID != tc.id {
				t.Errorf("check: %v, want invalid %s", err, tc.id)
			}
		})
	}
}

// TestCredential_Erasure: erasing a holder deletes their cached
// credential; with their printed name erased, no credential is handed out
// and a copy presented reads erased.
func TestCredential_Erasure(t *testing.T) {
	ctx := context.Background()
	a, db, library := certifyingApp(t, testfixture.SQLite(t))
	admin, certs := closedDay(t, a, library, 2)
	docs := map[string][]byte{}
	for _, c := range certs {
		doc, _, err := a.Certs.Credential(ctx, admin, c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		docs[c.Serial] = doc
	}
	cached := func(serial string) int64 {
		var n int64
		if err := db.R.Model(&store.CertificateCredential{}).Where("serial = ?", serial).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if cached(certs[0].Serial) != 1 || cached(certs[1].Serial) != 1 {
		t.Fatal("credentials not cached")
	}
	a.Eraser.Names = privacy.ErasePrintedName
	if _, err := a.Eraser.Erase(ctx, admin, certs[0].UserID, "asked in writing"); err != nil {
		t.Fatal(err)
	}
	if cached(certs[0].Serial) != 0 || cached(certs[1].Serial) != 1 {
		t.Errorf("after the erasure: cached %d and %d, want 0 and 1", cached(certs[0].Serial), cached(certs[1].Serial))
	}
	if _, _, err := a.Certs.Credential(ctx, admin, certs[0].Serial); !apperr.Is(err, apperr.CodeConflict) {
		t.Errorf("erased holder's credential: %v, want a conflict", err)
	}
	got, err := a.Certs.CheckCredential(ctx, docs[certs[0].Serial])
	if err != nil {
		t.Fatal(err)
	}
	if got.Valid || got.Status != certify.StatusErased || got.Reason.ID != "err.credential.erased" {
		t.Errorf("erased holder's copy: %+v", got)
	}
}

// TestCredential_ZIPAndPDF: the coordinator's ZIP has each certificate's
// credential beside its PDF, the PDF carries the same credential as an
// attachment, and the PDF still verifies offline.
func TestCredential_ZIPAndPDF(t *testing.T) {
	ctx := context.Background()
	a, _, library := certifyingApp(t, testfixture.SQLite(t))
	admin, certs := closedDay(t, a, library, 2)
	ex, err := a.Certs.PrepareExport(ctx, admin, certs[0].SessionID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.Certs.WriteZIP(ctx, &buf, ex, nil, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	if len(files) != 4 {
		t.Fatalf("ZIP holds %d files, want a PDF and a JSON each for 2", len(files))
	}
	resolve := issuerResolver(t, a)
	trusted := map[string]ed25519.PublicKey{a.opts.Signer.KeyID: a.opts.Signer.PublicKey()}
	for name, data := range files {
		if !strings.HasSuffix(name, ".pdf") {
			continue
		}
		cred, ok := files[strings.TrimSuffix(name, ".pdf")+".json"]
		if !ok {
			t.Errorf("%s has no credential beside it", name)
			continue
		}
		if _, err := vc.Verify(cred, resolve); err != nil {
			t.Errorf("credential beside %s: %v", name, err)
		}
		if _, err := certify.VerifyPDF(data, trusted); err != nil {
			t.Errorf("%s does not verify: %v", name, err)
		}
		// poppler's pdfdetach lists the attachment and extracts the same
		// credential.
		dir := t.TempDir()
		pdf := filepath.Join(dir, "certificate.pdf")
		if err := os.WriteFile(pdf, data, 0o600); err != nil {
			t.Fatal(err)
		}
		list, err := exec.Command("pdfdetach", "-list", pdf).CombinedOutput()
		if err != nil || !strings.Contains(string(list), "1 embedded files") || !strings.Contains(string(list), certify.CredentialFileName) {
			t.Errorf("pdfdetach -list %s: %v\n%s", name, err, list)
			continue
		}
		out := filepath.Join(dir, "extracted.json")
		if msg, err := exec.Command("pdfdetach", "-save", "1", "-o", out, pdf).CombinedOutput(); err != nil {
			t.Fatalf("pdfdetach -save: %v\n%s", err, msg)
		}
		if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, cred) {
			t.Errorf("%s carries another credential than the one beside it (%v)", name, err)
		}
	}
}

// signingKey is the private key in a data directory's signing-key.pem, read
// back as a leaked key would be.
func signingKey(t *testing.T, dir string) ed25519.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, certify.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(ed25519.PrivateKey)
}

// TestStatusList_ValidFromIsStable: a status list's validFrom and proof date
// are when its first certificate was issued, before and after a
// revocation, not the revocation's time: a verifier whose clock is a little
// behind would find that in the future and refuse every credential of the
// list (review F11). The list still changes with the revocation.
func TestStatusList_ValidFromIsStable(t *testing.T) {
	ctx := context.Background()
	a, _, library := certifyingApp(t, testfixture.SQLite(t))
	admin, certs := closedDay(t, a, library, 2)
	resolve := issuerResolver(t, a)
	doc, _, err := a.Certs.Credential(ctx, admin, certs[0].Serial)
	if err != nil {
		t.Fatal(err)
	}
	cred := decodeCredential(t, doc)
	n, err := strconv.Atoi(cred.CredentialStatus.StatusListCredential[strings.LastIndex(cred.CredentialStatus.StatusListCredential, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	first := certs[0].IssuedAt
	for _, c := range certs {
		if c.IssuedAt.Before(first) {
			first = c.IssuedAt
		}
	}
	want := first.UTC().Truncate(time.Second)
	list := func() (time.Time, time.Time, string) {
		t.Helper()
		doc, err := a.Certs.StatusList(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := vc.Verify(doc, resolve)
		if err != nil {
			t.Fatal(err)
		}
		var l struct {
			ValidFrom         string `json:"validFrom"`
			CredentialSubject struct {
				EncodedList string `json:"encodedList"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(doc, &l); err != nil {
			t.Fatal(err)
		}
		from, err := time.Parse(time.RFC3339, l.ValidFrom)
		if err != nil {
			t.Fatal(err)
		}
		return from, proof.Created, l.CredentialSubject.EncodedList
	}
	from, created, before := list()
	if !from.Equal(want) || !created.Equal(want) {
		t.Errorf("before any revocation: validFrom %s, proof created %s; want the first issue, %s", from, created, want)
	}
	// Revoked an hour later (by the service's clock).
	a.Certs.Now = func() time.Time { return time.Now().UTC().Add(time.Hour) }
	defer func() { a.Certs.Now = func() time.Time { return time.Now().UTC() } }()
	if _, err := a.Certs.Revoke(ctx, admin, certs[0].Serial, "issued in error"); err != nil {
		t.Fatal(err)
	}
	from, created, after := list()
	if !from.Equal(want) || !created.Equal(want) {
		t.Errorf("after a revocation: validFrom %s, proof created %s; want still the first issue, %s", from, created, want)
	}
	if after == before {
		t.Error("the list did not change with the revocation")
	}
}
