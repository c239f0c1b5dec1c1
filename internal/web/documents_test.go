package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

// bilingualCourse is a course written in English whose certificate is printed
// in French above English, with a French course page.
var bilingualCourse = fstest.MapFS{
	"bilingue/course.md": {Data: []byte("---\ntitle: Investigating crypto-asset crime\nsummary: One day.\nlanguage: en\n" +
		"certificate:\n  title: Certificate of attendance and achievement\n  requires: [attendance]\n  languages: [fr, en]\n---\n\nOverview.\n")},
	"bilingue/course.fr.md": {Data: []byte("---\ntitle: Enquêter sur la criminalité liée aux crypto-actifs\nsummary: Une journée.\n" +
		"certificate:\n  title: Certificat de présence et de réussite\n---\n\nVue d'ensemble.\n")},
	"bilingue/01-m.md": {Data: []byte("---\ntitle: Module\nduration: 7h\n---\n\nText.\n")},
}

// TestDocuments_InTheReadersLanguage follows one day of a course whose
// certificate is French and English through every document it makes, with a
// French officer (Agency Alpha is in France; the officer has chosen no
// language) and a Korean one: the e-mails and their .ics in French, the
// sign-in slips each in its officer's language, the bilingual certificate,
// and the public verify page in the visitor's language while its JSON stays
// the same bytes whatever the visitor reads.
func TestDocuments_InTheReadersLanguage(t *testing.T) {
	w := newWorldWith(t, bilingualCourse)
	ts := w.ts
	ts.fixClock(time.Date(2026, 11, 12, 12, 0, 0, 0, time.UTC))
	s := w.createSession(t, 10, map[string]any{"course": "bilingue", "date": "2026-11-19"})
	trainer := ts.token(t, w.trainer)
	officerBID := w.idOf(t, w.officerB)
	for _, id := range []int64{w.officerAID, officerBID} {
		if res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": id}); res.StatusCode != 201 {
			t.Fatalf("enrol: %d %s", res.StatusCode, body)
		}
	}
	if res, body := ts.api(t, trainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"venue": "Salle Marie Curie"}); res.StatusCode != 200 {
		t.Fatalf("change: %d %s", res.StatusCode, body)
	}

	t.Run("E-mails and their calendar files", func(t *testing.T) {
		byKind := map[string]store.OutboxMessage{}
		for _, m := range outboxFor(t, ts, w.officerAID) {
			byKind[m.Kind] = m
		}
		confirmed, changed := byKind["enrolment_confirmed"], byKind["session_changed"]
		if confirmed.Language != "fr" || !strings.Contains(confirmed.Subject, "Enquêter sur la criminalité liée aux crypto-actifs") ||
			!strings.Contains(confirmed.TextBody, "jeudi 19 novembre 2026") || !strings.Contains(confirmed.TextBody, "France") {
			t.Errorf("enrolment e-mail (%s): %s\n%s", confirmed.Language, confirmed.Subject, confirmed.TextBody)
		}
		full, err := ts.DB.OutboxMessage(context.Background(), changed.ID)
		if err != nil || len(full.Attachments) != 1 {
			t.Fatalf("change e-mail: %+v %v", full, err)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(full.Attachments[0].Data))
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("the .ics does not parse: %v", err)
		}
		ev := cal.Events()[0]
		if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != "Enquêter sur la criminalité liée aux crypto-actifs" {
			t.Errorf("SUMMARY = %q", got)
		}
		if got := ev.GetProperty(ics.ComponentPropertyLocation).Value; !strings.Contains(got, "Salle Marie Curie") || !strings.HasSuffix(got, "France") {
			t.Errorf("LOCATION = %q", got)
		}
		// Officer B's agency is Korean: their copy is Korean, with its own file.
		for _, m := range outboxFor(t, ts, officerBID) {
			if m.Language != "ko" || !strings.Contains(m.TextBody, "2026년 11월 19일") {
				t.Errorf("officer B's %s e-mail in %q:\n%s", m.Kind, m.Language, m.TextBody)
			}
		}
	})

	t.Run("Calendar feed", func(t *testing.T) {
		// A calendar app sends no language: the feed is in the one the user
		// chose, Korean here, whatever the course's.
		tok := ts.token(t, w.officerB)
		if res, body := ts.api(t, tok, "PUT", "/api/v1/me/language", map[string]string{"language": "ko"}); res.StatusCode != 200 {
			t.Fatalf("choose Korean: %d %s", res.StatusCode, body)
		}
		_, body := ts.api(t, tok, "GET", "/api/v1/me/calendar", nil)
		feed := decode[map[string]string](t, body)["url"]
		res, body := getWith(t, newBrowser(), ts.URL+feed[strings.Index(feed, "/calendar/"):])
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if res.StatusCode != 200 || err != nil || len(cal.Events()) != 1 {
			t.Fatalf("feed: %d %v\n%s", res.StatusCode, err, body)
		}
		if got := cal.Events()[0].GetProperty(ics.ComponentPropertyLocation).Value; !strings.HasSuffix(got, "프랑스") {
			t.Errorf("LOCATION = %q", got)
		}
	})

	t.Run("Sign-in slips", func(t *testing.T) {
		res, doc := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/slips", s.ID), nil)
		if res.StatusCode != 200 || !strings.HasPrefix(doc, "%PDF") {
			t.Fatalf("slips: %d", res.StatusCode)
		}
		text := pdftest.Text(t, []byte(doc))
		for _, want := range []string{"19 novembre 2026", "Enquêter sur la criminalité", "2026년 11월 19일"} {
			if !pdftest.WholeIn(text, want) {
				t.Errorf("%q not on the slips:\n%s", want, text)
			}
		}
	})

	ts.fixClock(time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC))
	if res, body := ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, w.officerAID), map[string]string{"status": "present"}); res.StatusCode != 200 {
		t.Fatalf("mark: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", s.ID), nil); res.StatusCode != 200 || !strings.Contains(body, `"issued":1`) {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	certs, err := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{UserID: &w.officerAID})
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates: %v %v", certs, err)
	}
	serial := certs[0].Serial

	t.Run("Bilingual certificate", func(t *testing.T) {
		res, doc := ts.api(t, ts.token(t, w.officerA), "GET", "/api/v1/certificates/"+serial+".pdf", nil)
		if res.StatusCode != 200 {
			t.Fatalf("certificate: %d", res.StatusCode)
		}
		text := pdftest.Text(t, []byte(doc))
		for _, want := range []string{"Certificat de présence et de réussite", "Certificate of attendance and achievement",
			"Enquêter sur la criminalité liée aux crypto-actifs", "Investigating crypto-asset crime",
			"19 novembre 2026", "19 November 2026", "This is to certify that"} {
			if !pdftest.WholeIn(text, want) {
				t.Errorf("%q not on the certificate:\n%s", want, text)
			}
		}
		if n := strings.Count(doc, "/Type /Page\n"); n != 1 {
			t.Errorf("%d pages", n)
		}
		var issued store.OutboxMessage
		for _, m := range outboxFor(t, ts, w.officerAID) {
			if m.Kind == "certificate_issued" {
				issued = m
			}
		}
		if issued.Language != "fr" || !strings.Contains(issued.TextBody, "Enquêter sur la criminalité liée aux crypto-actifs") ||
			!strings.Contains(issued.TextBody, "19 novembre 2026") {
			t.Errorf("certificate e-mail (%s):\n%s", issued.Language, issued.TextBody)
		}
	})

	t.Run("Verify page", func(t *testing.T) {
		fetch := func(path, lang string) string {
			req, _ := http.NewRequest("GET", ts.URL+path, nil)
			req.Header.Set("Accept-Language", lang)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Fatalf("%s (%s): %d", path, lang, res.StatusCode)
			}
			return string(b)
		}
		fr, en := fetch("/verify/"+serial, "fr-FR,fr;q=0.9"), fetch("/verify/"+serial, "en-GB")
		if !strings.Contains(fr, `lang="fr"`) || !strings.Contains(fr, "19 novembre 2026") || strings.Contains(fr, "19 November 2026") {
			t.Errorf("French verify page:\n%s", fr)
		}
		if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "19 November 2026") {
			t.Errorf("English verify page:\n%s", en)
		}
		jsonFR, jsonKO := fetch("/verify/"+serial+".json", "fr"), fetch("/verify/"+serial+".json", "ko")
		if jsonFR != jsonKO || !strings.Contains(jsonFR, `"session_date":"2026-11-19"`) {
			t.Errorf("the JSON differs by language:\n%s\n%s", jsonFR, jsonKO)
		}
	})
}

// TestPaperQuizPDF_InATranslation: ?lang=fr prints the shipped quiz 1 in
// French (its French words, the same questions in the same order and letters
// as the English sheet of that version, so one key marks both); the key in
// French too; a language the quiz lacks is refused.
func TestPaperQuizPDF_InATranslation(t *testing.T) {
	w := newWorldWith(t, courses.FS)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, nil)
	trainer := ts.token(t, w.trainer)
	path := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-blockchain/paper.pdf?version=2", s.ID)
	print := func(query string) (int, string) {
		res, doc := ts.api(t, trainer, "GET", path+query, nil)
		if res.StatusCode != 200 {
			return res.StatusCode, doc
		}
		return 200, pdftest.Text(t, []byte(doc))
	}
	_, english := print("")
	_, french := print("&lang=fr")
	_, key := print("&lang=fr&key=1")
	for _, want := range []string{"Quelle affirmation décrit le mieux la confidentialité des transactions Bitcoin", "3 décembre 2026"} {
		if !pdftest.WholeIn(french, want) || !pdftest.WholeIn(key, want) {
			t.Errorf("%q not on the French sheet and key:\n%s", want, french)
		}
	}
	if !pdftest.WholeIn(english, "Which statement best describes the privacy of Bitcoin transactions?") || pdftest.WholeIn(french, "Which statement best describes") {
		t.Errorf("the English sheet is not English, or the French one is not French")
	}
	// The same version numbers the same questions: the French and English
	// sheets ask each question at the same number.
	position := func(text, prompt string) int { return strings.Index(strings.Join(strings.Fields(text), " "), prompt) }
	if position(english, "Which statement best describes") < position(english, "What does a crypto-asset wallet actually hold") !=
		(position(french, "Quelle affirmation décrit") < position(french, "Que contient réellement un portefeuille")) {
		t.Errorf("the two languages order version 2 differently")
	}
	if code, body := print("&lang=ja"); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"language"`) {
		t.Errorf("a language the quiz lacks: %d %s", code, body)
	}
}
