package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_CredentialDownloadAndCheck: in Chromium at a phone's width, in
// English and in Hebrew, an officer's dashboard offers the certificate as an
// Open Badges credential beside the PDF, and the verify page's form (plain
// HTML) takes the credential pasted and says it is valid; the page never
// scrolls sideways, and axe-core finds nothing against WCAG 2.2 AA on the
// page with its result. LECTERN_CREDENTIAL_PNG=DIR keeps the screenshots.
func TestBrowser_CredentialDownloadAndCheck(t *testing.T) {
	path := needChromium(t)
	axe, err := os.ReadFile(axeSource)
	if err != nil {
		t.Fatal(err)
	}
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	cred := string(credentialOf(t, ts, qw.officerA, certA.Serial))
	dir := os.Getenv("LECTERN_CREDENTIAL_PNG")
	want := map[string]struct{ download, valid string }{
		"en": {"Download as Open Badges (JSON)", "Valid: this programme signed this credential"},
		"he": {"הורדה בפורמט Open Badges", "בתוקף: התוכנית חתמה על אישור זה"},
	}
	for _, lang := range []string{"en", "he"} {
		b := newBrowserTab(t, path, chromedp.Flag("accept-lang", lang), chromedp.Flag("lang", lang))
		b.do(lang+": viewport", chromedp.EmulateViewport(390, 844))
		b.signIn(ts.URL, qw.world.officerA)
		what := lang + ": dashboard"
		b.navigate(what, chromedp.Navigate(ts.URL+"/"))
		link := tabRun(b, what, chromedp.Evaluate[map[string]any](fmt.Sprintf(`(() => {
			const a = document.querySelector('a[href="/api/v1/certificates/%s/credential"]');
			if (!a) return {};
			const r = a.getBoundingClientRect();
			return {text: a.innerText, visible: r.width > 0 && r.height >= 24 && r.right <= innerWidth + 1};
		})()`, certA.Serial)))
		if text, _ := link["text"].(string); !strings.Contains(text, want[lang].download) || link["visible"] != true {
			t.Errorf("%s: the credential's link: %v", what, link)
		}
		shot(t, b, dir, what, "credential-dashboard-"+lang+".png")

		what = lang + ": verify page"
		b.navigate(what, chromedp.Navigate(ts.URL+"/verify/"+certA.Serial))
		b.do(what+": paste", chromedp.SetValue(chromedp.ID("credential"), cred))
		b.navigate(what+": check", chromedp.Click(chromedp.CSS(`#check button[type=submit]`)))
		verdict := tabRun(b, what, chromedp.Evaluate[string](`(document.querySelector("#check .verdict") || {}).innerText || ""`))
		if !strings.HasPrefix(verdict, want[lang].valid) {
			t.Errorf("%s: the verdict reads %q, want %q…", what, verdict, want[lang].valid)
		}
		if over := tabRun(b, what, chromedp.Evaluate[int](`document.documentElement.scrollWidth - innerWidth`)); over > 0 {
			t.Errorf("%s: the page scrolls sideways by %d px", what, over)
		}
		for _, v := range b.runAxe(string(axe)) {
			t.Errorf("%s: axe-core: %s (%s) at %v", what, v.ID, v.Help, v.Targets)
		}
		shot(t, b, dir, what, "credential-verify-"+lang+".png")
	}
}

// shot keeps a full-page screenshot in dir, when dir is set.
func shot(t *testing.T, b *browserTab, dir, what, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	img := tabRun(b, what, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
		t.Fatal(err)
	}
}
