package certify

import (
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/vc"
)

// oneCourse is a course library of one course.
type oneCourse struct{ c *course.Course }

func (o oneCourse) Course(string) (*course.Course, bool) { return o.c, true }

// quizCourse is languageCourse's course with a quiz (pass mark 80) and its
// French translation, required with attendance, its certificate worded as
// front.
func quizCourse(t *testing.T, front string) *course.Course {
	t.Helper()
	fsys := languageFS("  requires: [attendance, quizzes]\n" + front)
	fsys["c/01-m.quiz.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Tracing quiz\npass_mark: 80\n---\n\n## Which is a ledger? {#q1}\n\n- [x] A blockchain\n- [ ] A bank\n")}
	fsys["c/01-m.quiz.fr.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Questionnaire de traçage\n---\n\n## Lequel est un registre ? {#q1}\n\n- [x] Une blockchain\n- [ ] Une banque\n")}
	return loadCourse(t, fsys)
}

// TestCredential_InTheCertificatesLanguage: the credential is worded like
// the PDF, in the certificate's (first) language — its title, the course's
// title and summary, and criteria naming each quiz in that language with
// its pass mark — and its signature verifies.
func TestCredential_InTheCertificatesLanguage(t *testing.T) {
	signer := testSigner(t)
	for _, tc := range []struct {
		name, front                            string
		title, course, summary, quiz, criteria string
	}{
		{"English", "", "Certificate of attendance and achievement", "Investigating crypto-asset crime", "S",
			"Tracing quiz (80%)", "Attendance of the whole one-day session."},
		{"French", "  language: fr\n", "Certificat de présence et de réussite", "Enquêter sur la criminalité liée aux crypto-actifs",
			"S", "Questionnaire de traçage (80", "Présence pendant toute la session d'une journée."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := quizCourse(t, tc.front)
			s := &Service{signer: signer, courses: oneCourse{c}, Options: Options{BaseURL: "https://lectern.example.org/", Programme: "Programme"},
				log: slog.New(slog.DiscardHandler)}
			cert := issueFor(t, signer, c, "Jeanne Dupont")
			doc, fresh, err := s.credentialOf(t.Context(), cert)
			if err != nil || fresh != nil {
				t.Fatalf("credential: %v (fresh %v without a database)", err, fresh)
			}
			if _, err := vc.Verify(doc, func(string) (ed25519.PublicKey, error) { return signer.PublicKey(), nil }); err != nil {
				t.Fatalf("does not verify: %v\n%s", err, doc)
			}
			var got credential
			if err := json.Unmarshal(doc, &got); err != nil {
				t.Fatal(err)
			}
			a := got.CredentialSubject.Achievement
			if got.Name != tc.title || a.Name != tc.course || a.Description != tc.summary {
				t.Errorf("worded %q, %q, %q; want %q, %q, %q", got.Name, a.Name, a.Description, tc.title, tc.course, tc.summary)
			}
			if !strings.HasPrefix(a.Criteria.Narrative, tc.criteria) || !strings.Contains(a.Criteria.Narrative, tc.quiz) {
				t.Errorf("criteria %q, want %q … %q", a.Criteria.Narrative, tc.criteria, tc.quiz)
			}
			if got.ID != "https://lectern.example.org/verify/"+cert.Serial || got.Issuer.ID != "did:web:lectern.example.org" {
				t.Errorf("id %s, issuer %s", got.ID, got.Issuer.ID)
			}
		})
	}
}
