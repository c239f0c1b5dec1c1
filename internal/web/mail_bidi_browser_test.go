package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/store"
)

// TestBrowser_HebrewEmailReadsInOrder: a Hebrew officer's enrolment e-mail,
// both parts shown in real Chromium, keeps its data in order inside the
// right-to-left lines: "06:00–15:00" has its start time LEFT of its end time,
// the French address its words and commas in order, "UTC+01:00" reads as
// written. The HTML part is opened as the message's own document; the plain-text
// part as a mail client shows text, each line laid out by its first strong
// letter (unicode-bidi: plaintext), so only the isolates in the text keep it in
// order.
func TestBrowser_HebrewEmailReadsInOrder(t *testing.T) {
	path := needChromium(t)
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	if err := ts.DB.Tx(context.Background(), func(q store.Q) error { return q.ChooseUserLanguage(w.officerAID, "he") }); err != nil {
		t.Fatal(err)
	}
	s := w.createSession(t, 20, map[string]any{"start": "06:00", "end": "15:00",
		"venue": "Préfecture de police, salle Vauban", "city": "Paris"})
	url := fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID)
	if res, body := ts.api(t, ts.token(t, w.coordA), "POST", url, map[string]any{"user_id": w.officerAID}); res.StatusCode != 201 {
		t.Fatalf("enrol: %d %s", res.StatusCode, body)
	}
	list := outboxFor(t, ts, w.officerAID)
	if len(list) != 1 || list[0].Language != "he" {
		t.Fatalf("officer A's mail: %q, want one Hebrew enrolment e-mail", kindsOf(list))
	}
	msg := list[0]
	text := `<!doctype html><html lang="he" dir="rtl"><meta charset="utf-8"><pre style="unicode-bidi:plaintext;font:16px sans-serif">` +
		html.EscapeString(msg.TextBody) + `</pre></html>`

	b := newBrowserTab(t, path)
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	check := func(part, css string, words ...string) {
		t.Helper()
		got := tabRun(b, "measure "+css, chromedp.Evaluate[wordBoxes](fmt.Sprintf("%s(%q, %s)", wordsLeftToRight, css, jsonString(words))))
		if got.Error != "" || !got.inOrder() {
			t.Errorf("Hebrew e-mail, %s part, %s: %q drawn at x %v, y %v (%s), want on one line, left to right, in that order", part, css, words, got.Lefts, got.Tops, got.Error)
		}
	}
	for _, part := range []struct{ name, doc, when, where string }{
		{"HTML", msg.HTMLBody, "tr:nth-of-type(2) td", "tr:nth-of-type(3) td"},
		{"text", text, "pre", "pre"},
	} {
		if !strings.Contains(part.doc, "06:00") {
			t.Fatalf("%s part has no time:\n%s", part.name, part.doc)
		}
		b.do("open the "+part.name+" part", chromedp.Navigate("data:text/html;charset=utf-8;base64,"+base64.StdEncoding.EncodeToString([]byte(part.doc))))
		check(part.name, part.when, "06:00", "–", "15:00")
		check(part.name, part.when, "Europe", "/", "Paris")
		check(part.name, part.when, "UTC", "+", "01:00")
		check(part.name, part.where, "Préfecture", "police", ",", "salle", "Vauban", ",", "Paris")
	}
}
