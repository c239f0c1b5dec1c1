package certify

// Open Badges 3.0 (issue 24): beside its PDF, every certificate is an
// OpenBadgeCredential — a W3C Verifiable Credential 2.0 in JSON-LD, signed
// with the certificate signing key as a Data Integrity proof
// (eddsa-rdfc-2022, internal/vc), issued by the did:web of the base URL,
// whose DID document (IssuerDocument) lists the trusted keys as Multikeys.
// Its words are the certificate's first language's, like the PDF's; its
// revocation is a bit of a Bitstring Status List (statuslist.go). The holder
// is named by their printed name and a salted SHA-256 of their e-mail
// address, never the address itself.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// Contexts of every credential Lectern issues: VC 2.0, then Open Badges 3.0.
const (
	contextVC = "https://www.w3.org/ns/credentials/v2"
	contextOB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
)

// credentialContexts and credentialTypes are the @context and type of
// every credential Lectern issues, and so of every one it accepts.
var (
	credentialContexts = []string{contextVC, contextOB}
	credentialTypes    = []string{"VerifiableCredential", "OpenBadgeCredential"}
)

// credential is an OpenBadgeCredential as Lectern issues it; the field
// order is the JSON's.
type credential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            issuerProfile     `json:"issuer"`
	Name              string            `json:"name"`
	ValidFrom         string            `json:"validFrom"`
	ValidUntil        string            `json:"validUntil,omitempty"`
	CredentialSubject achievementHolder `json:"credentialSubject"`
	CredentialStatus  *statusEntry      `json:"credentialStatus,omitempty"`
	Proof             json.RawMessage   `json:"proof,omitempty"`
}

type issuerProfile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
	URL  string   `json:"url"`
}

type achievementHolder struct {
	Type              []string    `json:"type"`
	Identifier        []identity  `json:"identifier"`
	Achievement       achievement `json:"achievement"`
	CreditsEarned     *float64    `json:"creditsEarned,omitempty"`
	ActivityStartDate string      `json:"activityStartDate,omitempty"`
	ActivityEndDate   string      `json:"activityEndDate,omitempty"`
}

// identity is OB 3.0's IdentityObject: hashed, IdentityHash is
// "sha256$" + hex(SHA-256(identity ‖ salt)); not hashed, it is the identity.
type identity struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt,omitempty"`
}

type achievement struct {
	ID               string   `json:"id"`
	Type             []string `json:"type"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Criteria         criteria `json:"criteria"`
	CreditsAvailable *float64 `json:"creditsAvailable,omitempty"`
	AchievementType  string   `json:"achievementType"`
}

type criteria struct {
	Narrative string `json:"narrative"`
}

type statusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// base is the base URL as credentials print it, without a trailing slash.
func (s *Service) base() string { return strings.TrimRight(s.BaseURL, "/") }

// issuerDID is the issuer's did:web, from the base URL.
func (s *Service) issuerDID() (string, error) {
	did, err := vc.DIDWeb(s.base())
	if err != nil {
		return "", fmt.Errorf("issuer of credentials: %w", err)
	}
	return did, nil
}

// verificationMethod names a signing key in the issuer's DID document.
func verificationMethod(did, keyID string) string { return did + "#" + keyID }

// statusListURL is status list n's address.
func (s *Service) statusListURL(n int) string {
	return s.base() + "/credentials/status/" + strconv.Itoa(n)
}

// identitySalt is the salt of a certificate's hashed e-mail address: an HMAC
// of its serial, so the same certificate always gets the same one, and no
// one without the key can tell one certificate's from another's.
func (s *Service) identitySalt(serial string) string {
	m := hmac.New(sha256.New, s.saltKey())
	m.Write([]byte(serial))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// saltKey is Options.SaltKey, else one derived from the signing key (a tool
// or test without the secrets key).
func (s *Service) saltKey() []byte {
	if len(s.SaltKey) > 0 {
		return s.SaltKey
	}
	sum := sha256.Sum256(append([]byte("lectern credential salt\x00"), s.signer.key.Seed()...))
	return sum[:]
}

// text is what people typed (names, titles, summaries) as a credential
// can carry it: without the control characters canonical N-Quads would
// escape otherwise than other verifiers' libraries (vc.SignableText).
func text(s string) string { return vc.SignableText(s) }

// unsignedCredential is c's credential without its proof. c must be valid
// or expired, its holder's name not erased.
// m, when not nil, holds what an export's certificates share (memo).
func (s *Service) unsignedCredential(ctx context.Context, c *store.Certificate, m *memo) (*credential, error) {
	did, err := s.issuerDID()
	if err != nil {
		return nil, err
	}
	ws, err := readWording(c)
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("credential of certificate %s: %w", c.Serial, err)
	}
	w := ws[0]
	l := cat.For(cat.Match(w.Lang))
	version := m.courseVersion(ctx, s, c)
	cred := &credential{
		Context: credentialContexts,
		ID:      s.base() + "/verify/" + c.Serial,
		Type:    credentialTypes,
		Issuer:  issuerProfile{ID: did, Type: []string{"Profile"}, Name: text(c.Programme), URL: s.base()},
		Name:    text(w.Title),
		// Seconds, like the signed payload: what the record says.
		ValidFrom: c.IssuedAt.UTC().Truncate(time.Second).Format(time.RFC3339),
		CredentialSubject: achievementHolder{
			Type: []string{"AchievementSubject"},
			Achievement: achievement{
				ID:              s.base() + "/courses/" + url.PathEscape(c.CourseID) + "#achievement",
				Type:            []string{"Achievement"},
				Name:            text(w.Course),
				Description:     text(w.Course),
				Criteria:        criteria{Narrative: text(narrative(l, version, w.Lang))},
				AchievementType: "Certificate",
			},
		},
	}
	if c.ExpiresAt != nil {
		cred.ValidUntil = c.ExpiresAt.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	if version != nil {
		if t := version.Text(w.Lang); t.Summary != "" {
			cred.CredentialSubject.Achievement.Description = text(t.Summary)
		}
	}
	if c.Minutes > 0 {
		h := math.Round(float64(c.Minutes)/60*100) / 100
		cred.CredentialSubject.Achievement.CreditsAvailable = &h
		cred.CredentialSubject.CreditsEarned = &h
	}
	if c.HolderIdentityHash != "" {
		cred.CredentialSubject.Identifier = append(cred.CredentialSubject.Identifier, identity{Type: "IdentityObject",
			IdentityHash: c.HolderIdentityHash, IdentityType: "emailAddress", Hashed: true, Salt: c.HolderIdentitySalt})
	}
	cred.CredentialSubject.Identifier = append(cred.CredentialSubject.Identifier, identity{Type: "IdentityObject",
		IdentityHash: text(c.HolderName), IdentityType: "name", Hashed: false})
	when, err := m.activity(ctx, s, c)
	if err != nil {
		return nil, err
	}
	cred.CredentialSubject.ActivityStartDate, cred.CredentialSubject.ActivityEndDate = when.start, when.end
	if c.StatusList > 0 {
		list := s.statusListURL(c.StatusList)
		cred.CredentialStatus = &statusEntry{ID: list + "#" + strconv.Itoa(c.StatusIndex), Type: "BitstringStatusListEntry",
			StatusPurpose: "revocation", StatusListIndex: strconv.Itoa(c.StatusIndex), StatusListCredential: list}
	}
	return cred, nil
}

// activityDates is when a certificate's session took place, as its
// credential says it: RFC 3339 date-times (OB 3.0 types activityStartDate
// and activityEndDate as DateTime; a date alone fails 1EdTech's schema).
type activityDates struct{ start, end string }

// activity is when the session of c took place, in its time zone; without
// its times (the session row gone, its zone unknown), the whole session day
// (review F4).
func (s *Service) activity(ctx context.Context, c *store.Certificate) (activityDates, error) {
	if s.db == nil {
		return sessionActivity(nil, c), nil
	}
	ts, err := s.db.Read(ctx).Session(c.SessionID, false)
	if errors.Is(err, store.ErrNotFound) {
		return sessionActivity(nil, c), nil
	} else if err != nil {
		return activityDates{}, fmt.Errorf("credential of certificate %s: %w", c.Serial, err)
	}
	return sessionActivity(ts, c), nil
}

// sessionActivity is activity with c's session row in hand (nil: none).
func sessionActivity(ts *store.TrainingSession, c *store.Certificate) activityDates {
	loc := time.UTC
	if ts != nil {
		if l, err := time.LoadLocation(ts.Timezone); err == nil {
			loc = l
		}
		if !ts.StartsAt.IsZero() && !ts.EndsAt.IsZero() {
			return activityDates{ts.StartsAt.In(loc).Format(time.RFC3339), ts.EndsAt.In(loc).Format(time.RFC3339)}
		}
	}
	day, err := time.ParseInLocation(time.DateOnly, c.SessionDate, loc)
	if err != nil { // no day either: the credential leaves both out
		return activityDates{}
	}
	return activityDates{day.Format(time.RFC3339), day.AddDate(0, 0, 1).Add(-time.Second).Format(time.RFC3339)}
}

// narrative is the achievement's criteria in l's language: what the
// course version the certificate names required (attendance of the whole
// day, a pass in each quiz at its pass mark); a version no longer known
// says only that its requirements were met.
func narrative(l *i18n.Localizer, c *course.Course, lang string) string {
	if c == nil {
		return l.T("documents.credential.criteria_unknown")
	}
	var parts []string
	if c.Certificate.RequiresAttendance {
		parts = append(parts, l.T("documents.credential.criteria_attendance"))
	}
	if qs := c.Quizzes(); c.Certificate.RequiresQuizzes && len(qs) > 0 {
		names := make([]string, len(qs))
		for i, q := range qs {
			names[i] = l.T("documents.credential.criteria_quiz", "Quiz", q.In(lang).Title, "PassMark", l.Percentage(float64(q.PassMark)))
		}
		parts = append(parts, l.T("documents.credential.criteria_quizzes", "Quizzes", strings.Join(names, "; ")))
	}
	if len(parts) == 0 {
		return l.T("documents.credential.criteria_unknown")
	}
	return strings.Join(parts, " ")
}

// courseVersion is the course as the certificate's version of it reads:
// the one served when it is that version, else the stored one (kept
// parsed); nil when neither is known.
func (s *Service) courseVersion(ctx context.Context, id, hash string) *course.Course {
	if s.courses != nil {
		if c, ok := s.courses.Course(id); ok && c.Hash == hash {
			return c
		}
	}
	if s.db == nil {
		return nil
	}
	if v, ok := s.versions.Load(hash); ok {
		return v.(*course.Course)
	}
	files, err := s.db.CourseVersionFiles(ctx, id, hash)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("credential: course version", "course", id, "hash", hash, "err", err)
		}
		return nil
	}
	c, probs := course.FromFiles(id, files)
	if len(probs) > 0 || c == nil {
		s.log.Warn("credential: stored course version does not load", "course", id, "hash", hash)
		return nil
	}
	s.versions.Store(hash, c)
	return c
}
