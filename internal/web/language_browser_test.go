package web

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
)

// TestBrowser_RightToLeft chooses Hebrew with the header's selector (a plain
// form, no script) in real Chromium: the page is laid out from the right — the
// brand, first in the header, sits at the right edge; the pager's arrows are
// turned round — and English puts it all back on the left.
func TestBrowser_RightToLeft(t *testing.T) {
	path := needChromium(t)
	ts := startServer(t, courses.FS)
	ag := ts.agency(t, "משטרת ישראל", "IL")
	who := ts.user(t, auth.RoleOfficer, &ag.ID, "נועה כהן")
	b := newBrowserTab(t, path)
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.signIn(ts.URL, who)
	layout := func(lang, dir string, brandOnRight bool) {
		t.Helper()
		if got := tabRun(b, "html lang", chromedp.Evaluate[string](`document.documentElement.lang + " " + getComputedStyle(document.body).direction`)); got != lang+" "+dir {
			t.Errorf("lang and computed direction %q, want %q", got, lang+" "+dir)
		}
		right := tabRun(b, "where the brand is", chromedp.Evaluate[bool](`(() => {
			const r = document.querySelector("header.site .brand").getBoundingClientRect();
			return r.left > innerWidth / 2;
		})()`))
		if right != brandOnRight {
			t.Errorf("%s: the brand on the right is %v, want %v", lang, right, brandOnRight)
		}
		// A heading starts at the start of the line: its text's right edge at
		// the main column's right in Hebrew.
		h1Right := tabRun(b, "where the heading is", chromedp.Evaluate[bool](`(() => {
			const h = document.querySelector("main h1"), range = document.createRange();
			range.selectNodeContents(h);
			const text = range.getBoundingClientRect(), box = h.getBoundingClientRect();
			return box.right - text.right < text.left - box.left;
		})()`))
		if h1Right != brandOnRight {
			t.Errorf("%s: the heading's text hugs the right is %v, want %v", lang, h1Right, brandOnRight)
		}
	}
	choose := func(lang string) {
		t.Helper()
		b.do("pick "+lang, chromedp.SetValue(chromedp.ID("language-header"), lang))
		if got := b.navigate("choose "+lang, chromedp.Click(chromedp.CSS(`header.site form.language button[type=submit]`))); got != "/courses/crypto-crime/01-blockchain" {
			t.Errorf("after choosing %s: on %s, want back on the module", lang, got)
		}
	}
	b.do("open a module", chromedp.Navigate(ts.URL+"/courses/crypto-crime/01-blockchain"))
	layout("en", "ltr", false)
	choose("he")
	layout("he", "rtl", true)
	if flipped := tabRun(b, "the pager's arrow", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".pager .arrow")).transform`)); flipped != "matrix(-1, 0, 0, 1, 0, 0)" {
		t.Errorf("the next arrow on a Hebrew page: transform %q, want it turned round", flipped)
	}
	choose("en")
	layout("en", "ltr", false)
	if flipped := tabRun(b, "the pager's arrow", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".pager .arrow")).transform`)); flipped != "none" {
		t.Errorf("the next arrow on an English page: transform %q, want none", flipped)
	}
}
