package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
)

// TestBrowser_RightToLeft chooses Hebrew with the header's selector (a plain
// form, no script) in real Chromium: the page is laid out from the right — the
// brand, first in the header, sits at the right edge; the breadcrumb's first
// link hugs the right; the pager's arrows are turned round — while the module,
// which has no Hebrew text, is English laid out left to right inside that
// chrome: its heading and paragraphs start at the left. English puts the
// chrome back on the left.
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
		// The chrome's first breadcrumb sits at the start of the line: at the
		// main column's right in Hebrew.
		if got := hugsRight(b, "main nav.crumbs"); got != brandOnRight {
			t.Errorf("%s: the breadcrumbs hug the right is %v, want %v", lang, got, brandOnRight)
		}
		// The module is English (there is no Hebrew text): its heading and
		// objectives start at the left in either page, English laid out
		// left to right.
		for _, css := range []string{"main article h1", "main article .objectives li"} {
			if got := hugsRight(b, css); got {
				t.Errorf("%s: the English module's %s hugs the right", lang, css)
			}
			if got := tabRun(b, "direction of "+css, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(`+jsonString(css)+`)).direction`)); got != "ltr" {
				t.Errorf("%s: the English module's %s is %s", lang, css, got)
			}
		}
	}
	choose := func(lang string) {
		t.Helper()
		b.do("open the language list", chromedp.Click(chromedp.CSS(`#language-header > summary`)))
		if got := b.navigate("choose "+lang, chromedp.Click(chromedp.CSS(`#language-header button[value=`+lang+`]`))); got != "/courses/crypto-crime/01-blockchain" {
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

// hugsRight reports whether the text of the first element found by css is
// nearer its box's right edge than its left: where a line starts in a
// right-to-left block.
func hugsRight(b *browserTab, css string) bool {
	return tabRun(b, "where "+css+" is", chromedp.Evaluate[bool](`(() => {
		const el = document.querySelector(`+jsonString(css)+`), range = document.createRange();
		range.selectNodeContents(el);
		const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
		return box.right - text.right < text.left - box.left;
	})()`))
}

// TestBrowser_PhoneHeader: on a 390 px phone, an officer with a long name picks
// Hebrew by keyboard alone in the header's language disclosure (no script
// needed: a details element and a form). Her name is shown whole — wrapped,
// never cut with an ellipsis — and the language button shares the line with
// the sign-out button instead of taking lines of its own.
func TestBrowser_PhoneHeader(t *testing.T) {
	path := needChromium(t)
	ts := startServer(t, courses.FS)
	ag := ts.agency(t, "Police judiciaire de Paris — Brigade cyber", "FR")
	name := "François Müller-Łukasiewicz-Wołodyjowski de la Tour"
	who := ts.user(t, auth.RoleOfficer, &ag.ID, name)
	b := newBrowserTab(t, path)
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.signIn(ts.URL, who)
	b.do("open the language list by keyboard", chromedp.Focus(chromedp.CSS(`#language-header > summary`)), chromedp.KeyEvent("\r"))
	b.poll("the list is open", `document.getElementById("language-header").open && document.querySelector('#language-header button[value=he]').getClientRects().length > 0`)
	if got := b.navigate("choose Hebrew by keyboard", chromedp.Focus(chromedp.CSS(`#language-header button[value=he]`)), chromedp.KeyEvent("\r")); got != "/" {
		t.Errorf("after choosing Hebrew: on %s, want back on the dashboard", got)
	}
	type header struct {
		Dir, Name, Summary string
		NameFits, SameLine bool
		Cut                []string
		LangWidth          float64
	}
	h := tabRun(b, "measure the header", chromedp.Evaluate[header](`(() => {
		const who = document.querySelector("header.site .who"), sum = document.querySelector("#language-header > summary");
		const out = document.querySelector("header.site form.logout button[type=submit]").getBoundingClientRect(), s = sum.getBoundingClientRect();
		const cut = [...document.querySelectorAll("*")].filter(e => getComputedStyle(e).textOverflow !== "clip").map(e => e.tagName + "." + e.className);
		return {dir: document.documentElement.dir, name: who.textContent, summary: sum.textContent,
			nameFits: who.scrollWidth <= who.clientWidth + 1 && who.getBoundingClientRect().right <= innerWidth && who.getBoundingClientRect().left >= 0,
			sameLine: s.top < out.bottom && s.bottom > out.top, cut, langWidth: s.width};
	})()`))
	if h.Dir != "rtl" || !strings.Contains(h.Summary, "עברית") {
		t.Errorf("after choosing Hebrew: dir %q, the selector says %q", h.Dir, h.Summary)
	}
	if h.Name != name || !h.NameFits {
		t.Errorf("the header shows the name %q (fits on screen: %v), want %q whole", h.Name, h.NameFits, name)
	}
	if len(h.Cut) > 0 {
		t.Errorf("text-overflow other than clip on %v: nothing a person reads is cut short", h.Cut)
	}
	if !h.SameLine || h.LangWidth > 390/2 {
		t.Errorf("the language selector (%.0f px wide) is on the sign-out's line: %v; want a small button beside it", h.LangWidth, h.SameLine)
	}
}
