package certify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// documents is the catalogue certificates are printed with: a variable so
// that a test can print with a changed one (TestLayoutDigest_*).
var documents = i18n.Default

// layoutDigest names everything a certificate's PDF is made of besides its
// record, base URL and signing key — the layout code, fpdf, the fonts, the
// catalogues' words and formats — in the render key of cached PDFs, with
// nothing to bump by hand and no version control information needed (Docker
// builds have none; review 23, finding 2). It is computed once per process:
// a release, or a process of another release sharing the database, that
// prints anything differently has another digest, so it renders afresh
// rather than send what the other made.
var layoutDigest = sync.OnceValues(computeLayoutDigest)

// computeLayoutDigest hashes the embedded fonts and sample certificates
// rendered in every language of the catalogue, each beside the next (so
// each is printed first and second, left to right and right to left),
// holders' names in several scripts, one without an expiry: ≈ 10 renders,
// once per process (Prerender does it at start).
func computeLayoutDigest() (string, error) {
	cat, err := documents()
	if err != nil {
		return "", fmt.Errorf("certificate layout digest: %w", err)
	}
	fonts, err := typeset.FontsDigest()
	if err != nil {
		return "", fmt.Errorf("certificate layout digest: %w", err)
	}
	h := sha256.New()
	h.Write(fonts[:])
	// A fixed key: the sample's bytes must depend on the code alone (the
	// real key's id is in the render key already).
	sample := &Signer{key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)), KeyID: "sample"}
	langs := cat.Languages()
	issued := time.Date(2026, 12, 3, 16, 5, 0, 0, time.UTC)
	expires := issued.AddDate(3, 0, 0)
	names := []string{"François Müller-Łukasiewicz", "Γιώργος Παπαδόπουλος", "Дмитрий Иванов-Щербаков", "דניאל כהן", "김민준", "Siobhán O'Brien"}
	for i, l := range langs {
		wording, err := json.Marshal([]wording{
			{Lang: l.Tag, Title: "Certificate " + l.Tag, Course: "Course " + l.Tag},
			{Lang: langs[(i+1)%len(langs)].Tag, Title: "Certificate", Course: "Course"}})
		if err != nil {
			return "", fmt.Errorf("certificate layout digest: %w", err)
		}
		c := &store.Certificate{Serial: "SAMPLE" + l.Tag, Title: "Certificate", Programme: "Programme", HolderName: names[i%len(names)],
			LatinName: "Latin Name", AgencyName: "Agency", CourseID: "course", CourseTitle: "Course", CourseHash: "ab12cd",
			SessionDate: "2026-12-03", City: "Paris", Country: "FR", Minutes: 390, Trainers: "Anna Schmidt, 김민준",
			IssuedAt: issued, ExpiresAt: &expires, Status: store.CertificateValid, Wording: wording,
			Payload: []byte(`{"serial":"SAMPLE"}`), Signature: "sample"}
		if i == 0 {
			c.ExpiresAt = nil
		}
		// The first sample carries an attachment, so fpdf's way of
		// embedding one is part of the digest too.
		var attachment []byte
		if i == 0 {
			attachment = []byte(`{"sample":true}`)
		}
		doc, err := sample.renderWith(cat, c, "https://lectern.invalid", attachment)
		if err != nil {
			return "", fmt.Errorf("certificate layout digest, %s: %w", l.Tag, err)
		}
		h.Write(doc)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
