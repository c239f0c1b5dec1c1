package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// idle.js in a real browser: a page left alone past the idle timeout signs
// itself out (through the page's logout form) and lands on the sign-in page,
// which says why; a page in use stays. The server's own idle check is set far
// off here, so only the script can have signed the browser out.
func TestBrowser_IdleLogoutClearsTheScreen(t *testing.T) {
	w, b := idleBrowser(t, 2*time.Second)
	ts := w.ts
	if seconds := tabRun(b, "read the idle time", chromedp.Evaluate[string](`document.body.dataset.idleSeconds`)); seconds != "2" {
		t.Fatalf("the page carries idle seconds %q, want 2", seconds)
	}
	// In use: a key pressed every 400 ms for 3 s keeps the page.
	for range 8 {
		b.do("press a key", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new KeyboardEvent("keydown", {key: "Shift"}))`))
		time.Sleep(400 * time.Millisecond)
	}
	if p := tabRun(b, "where the tab is", chromedp.Evaluate[string](`location.pathname`)); p != "/" {
		t.Fatalf("a page in use was signed out: on %s", p)
	}
	// Left alone: signed out soon after the timeout (the script looks four
	// times per timeout; the bound is loose for a loaded machine, but below the
	// 15 s a fixed check interval would take).
	left := time.Now()
	// Loaded whole: the address changes before the page's text is all there.
	b.pollAcross("the idle page signs out", `location.pathname === "/login" && location.search.includes("idle=1") && document.readyState === "complete"`)
	if waited := time.Since(left); waited > 10*time.Second {
		t.Errorf("signed out after %v, want about 2 s", waited)
	}
	text := tabRun(b, "read the sign-in page", chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(text, "without activity") {
		t.Errorf("the sign-in page does not say why: %q", text)
	}
	// The session is over on the server too: the dashboard asks to sign in.
	if p := b.navigate("open the dashboard", chromedp.Navigate(ts.URL+"/")); p != "/login" {
		t.Errorf("after the idle sign-out, / is %s, want the sign-in page", p)
	}
}

// idleBrowser is officer A signed in, in Chromium, on a server whose pages sign
// themselves out (idle.js) after timeout. The server's own idle check is set far
// off, so only the script can sign the browser out.
func idleBrowser(t *testing.T, timeout time.Duration) (*world, *browserTab) {
	t.Helper()
	path := needChromium(t)
	w := newWorld(t)
	w.ts.Server.opts.IdleTimeout = timeout
	w.ts.Server.accounts.IdleTimeout = time.Hour
	b := newBrowserTab(t, path)
	b.signIn(w.ts.URL, w.officerA)
	return w, b
}
