package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/net/html"
	"golang.org/x/text/language"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/store"
)

var jsonUnmarshal = json.Unmarshal

// identicalToEnglish is the one list of interface words a translated page may
// show as English does, each with its reason. Anything else English on a page
// in another language is a string that missed the catalogue (or a catalogue
// that missed a string).
var identicalToEnglish = map[string]string{
	"Lectern": "the product's name",
	"UTC":     "the time standard's symbol, next to the session's offset in every language",
	"TOTP":    "the standard's name, as authenticator apps print it",
	"QR":      "the code's name in every language (QR-kode, QR 코드, קוד QR)",
	"PDF":     "the file format's name",
	"CSV":     "the file format's name",
	"ZIP":     "the file format's name",
	"ICS":     "the file format's name (.ics calendars)",
	"URL":     "the web address's technical name, kept in API and calendar help",
	"API":     "the interface's technical name",
	"JSON":    "the format's name",
	"GIFT":    "Moodle's question format's name",
	"Open":    "of Open Badges, 1EdTech's standard, named so in every language",
	"Badges":  "of Open Badges, 1EdTech's standard, named so in every language",
	"WCAG":    "the accessibility standard's name",
}

// requiredLanguages must be walked and found clean: their catalogues complete
// in every area and their pages free of English, but for what awaiting lists.
// Every language complete in ui is walked; what is found in one not listed is
// logged as "not yet required".
var requiredLanguages = []string{"fr", "es", "pt-BR", "de", "nl", "sv", "ko", "he"}

// awaiting is English the walk still finds that work in flight removes, each
// with that work: its findings are logged, not failed ("lang area" for a
// catalogue being translated, "lang id-prefix" or "* id-prefix" for strings).
// Take an entry out once the walk logs nothing for it.
var awaiting = map[string]string{}

// awaited is the awaiting entry that covers a finding of message id in lang.
func awaited(lang, id string) string {
	for k := range awaiting {
		who, prefix, _ := strings.Cut(k, " ")
		if (who == "*" || who == lang) && strings.HasPrefix(id, prefix) {
			return k
		}
	}
	return ""
}

// nonLatinLanguages are checked for interface text that never went through the
// catalogue at all: any Latin word on their pages must be data.
var nonLatinLanguages = []string{"ko", "he"}

// catalogueMessage is one message of one AREA.LANG.json: its plural forms
// ("other" alone for a plain string).
type catalogueMessage struct {
	area  string
	forms []string
}

// catalogues reads every AREA.LANG.json: lang → id → message.
func catalogues(t testing.TB) map[string]map[string]catalogueMessage {
	t.Helper()
	files, err := filepath.Glob("../i18n/locales/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogues: %v", err)
	}
	out := map[string]map[string]catalogueMessage{}
	for _, f := range files {
		area, _, _ := strings.Cut(filepath.Base(f), ".")
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := goi18n.ParseMessageFileBytes(raw, f, map[string]goi18n.UnmarshalFunc{"json": jsonUnmarshal})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		lang := mf.Tag.String()
		if out[lang] == nil {
			out[lang] = map[string]catalogueMessage{}
		}
		for _, m := range mf.Messages {
			var forms []string
			for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
				if s != "" {
					forms = append(forms, s)
				}
			}
			out[lang][m.ID] = catalogueMessage{area: area, forms: forms}
		}
	}
	return out
}

// completeness reports, for each language, the areas whose catalogue lacks
// an English id (none: complete).
func completeness(cats map[string]map[string]catalogueMessage) map[string][]string {
	out := map[string][]string{}
	for lang, msgs := range cats {
		if lang == "en" {
			continue
		}
		gaps := map[string]bool{}
		for id, m := range cats["en"] {
			if _, ok := msgs[id]; !ok {
				gaps[m.area] = true
			}
		}
		out[lang] = slices.Sorted(func(yield func(string) bool) {
			for a := range gaps {
				if !yield(a) {
					return
				}
			}
		})
	}
	return out
}

// englishMatcher is one English message form as a pattern over a whole text
// node, its placeholders wildcards.
type englishMatcher struct {
	id, area, text string
	re             *regexp.Regexp
	missing        bool // the language lacks the id: a catalogue gap, not a code one
}

var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

// calendarWord names the formats' month and weekday names: found as words
// anywhere in a text ("Thursday 3 December 2026"), not as whole texts.
var calendarWord = regexp.MustCompile(`^format\.(month|month_short|weekday|weekday_short)\.`)

// englishMatchers are the English forms a page in lang must not show: those
// whose translation differs, or is missing. Forms with no letter outside
// their placeholders ("{{.Count}} %") say nothing English and are left out.
func englishMatchers(cats map[string]map[string]catalogueMessage, lang string) []englishMatcher {
	var out []englishMatcher
	for id, en := range cats["en"] {
		tr, ok := cats[lang][id]
		for _, form := range en.forms {
			if ok && slices.Contains(tr.forms, form) {
				continue
			}
			if calendarWord.MatchString(id) {
				// A month's or a weekday's name is a word of a longer date.
				out = append(out, englishMatcher{id: id, area: en.area, text: form, re: regexp.MustCompile(`(^|[^\pL])` + regexp.QuoteMeta(form) + `($|[^\pL])`), missing: !ok})
				continue
			}
			literal := placeholder.ReplaceAllString(form, " ")
			if !strings.ContainsFunc(literal, unicode.IsLetter) || identicalToEnglish[normSpace(literal)] != "" {
				continue
			}
			var b strings.Builder
			b.WriteString(`^`)
			parts := placeholder.Split(normSpace(form), -1)
			for i, p := range parts {
				if i > 0 {
					b.WriteString(`(.+?)`)
				}
				b.WriteString(strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`))
			}
			b.WriteString(`$`)
			out = append(out, englishMatcher{id: id, area: en.area, text: form, re: regexp.MustCompile(b.String()), missing: !ok})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// translated is every literal form of lang's catalogue: a text node equal to
// one is the language's own, whatever English also says.
func translated(cats map[string]map[string]catalogueMessage, lang string) map[string]bool {
	out := map[string]bool{}
	for _, m := range cats[lang] {
		for _, f := range m.forms {
			out[normSpace(f)] = true
		}
	}
	return out
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// visibleText is a piece of a page a person reads, and whether it is data
// declared in another language than the page's (an element with its own lang:
// course text not translated into the reader's language).
type visibleText struct {
	text    string
	foreign bool
}

// A template marks data a person reads as it is stored (e-mail addresses,
// passwords of the demo, the audit's raw codes and recorded values) with
// HTML's translate="no", which also keeps browser translators off it; course
// text in another language carries its lang.

// readAttributes are the attributes a person reads or hears.
var readAttributes = []string{"title", "alt", "placeholder", "aria-label", "aria-description"}

// visibleTexts extracts the text nodes outside script, style and template,
// <title> included, and the attributes a person reads: those above, and the
// value of a submit input (a <button>'s value is sent, not shown).
func visibleTexts(page string) ([]visibleText, string, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, "", err
	}
	var pageLang string
	var out []visibleText
	var walk func(n *html.Node, lang string, data bool)
	walk = func(n *html.Node, lang string, data bool) {
		add := func(s string) {
			if s = normSpace(s); s != "" {
				out = append(out, visibleText{text: s, foreign: data || !sameLanguage(lang, pageLang)})
			}
		}
		switch n.Type {
		case html.TextNode:
			add(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "template":
				return
			}
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			if attr["translate"] == "no" {
				data = true
			}
			if l, ok := attr["lang"]; ok {
				lang = l
				if n.Data == "html" {
					pageLang = l
				}
			}
			for _, k := range readAttributes {
				add(attr[k])
			}
			if n.Data == "input" && slices.Contains([]string{"submit", "button", "reset"}, attr["type"]) {
				add(attr["value"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, lang, data)
		}
	}
	walk(doc, "", false)
	return out, pageLang, nil
}

// sameLanguage: "pt-BR" text on a "pt-BR" page, "fr" on "fr-CA".
func sameLanguage(a, b string) bool {
	ta, err1 := language.Parse(a)
	tb, err2 := language.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	ba, _ := ta.Base()
	bb, _ := tb.Base()
	return ba == bb
}

// englishFinding is one English string on a page.
type englishFinding struct {
	id, text string
	gap      bool // the language's catalogue lacks the id
}

// pageChecker finds the English on one language's pages.
type pageChecker struct {
	lang     string
	matchers []englishMatcher
	own      map[string]bool
	latin    bool // also flag Latin words that are not data
	data     *pageData
}

func newPageChecker(cats map[string]map[string]catalogueMessage, lang string, data *pageData) *pageChecker {
	return &pageChecker{lang: lang, matchers: englishMatchers(cats, lang), own: translated(cats, lang),
		latin: slices.Contains(nonLatinLanguages, lang), data: data}
}

// check returns the English interface strings of a page: text equal to or
// produced by an English message, and, for a non-Latin language, any Latin
// word that is not data.
func (pc *pageChecker) check(page string) ([]englishFinding, error) {
	texts, pageLang, err := visibleTexts(page)
	if err != nil {
		return nil, err
	}
	if pageLang != pc.lang {
		return []englishFinding{{id: "<html lang>", text: fmt.Sprintf("the page is in %q", pageLang)}}, nil
	}
	return pc.checkTexts(texts), nil
}

// checkTexts returns the English interface strings among a page's visible
// texts, however they were taken (from served HTML, or from a browser's
// rendered page).
func (pc *pageChecker) checkTexts(texts []visibleText) []englishFinding {
	var out []englishFinding
	for _, v := range texts {
		if v.foreign || pc.own[v.text] || identicalToEnglish[v.text] != "" || pc.data.texts[v.text] {
			continue
		}
		found := false
		for _, m := range pc.matchers {
			if m.re.MatchString(v.text) {
				out = append(out, englishFinding{id: m.id, text: v.text, gap: m.missing})
				found = true
				break
			}
		}
		if !found && pc.latin {
			if w := pc.latinWord(v.text); w != "" {
				out = append(out, englishFinding{id: "(no message: Latin word " + w + ")", text: v.text})
			}
		}
	}
	return out
}

// webAddress is a link printed for copying (a calendar feed, the check-in page).
var webAddress = regexp.MustCompile(`https?://\S+`)

// latinWord returns the first word of 3+ letters in Latin script left in s
// once the data strings and the allowed words are taken out.
func (pc *pageChecker) latinWord(s string) string {
	s = webAddress.ReplaceAllString(s, " ")
	for _, d := range pc.data.names {
		s = replaceWords(s, d)
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) })
	for _, w := range words {
		if len([]rune(w)) >= 3 && strings.ContainsFunc(w, func(r rune) bool { return unicode.Is(unicode.Latin, r) }) && identicalToEnglish[w] == "" {
			return w
		}
	}
	return ""
}

// replaceWords blanks each occurrence of d in s that is not part of a longer
// word ("Lee" in "Lee Seoyeon", not in "Leeway").
func replaceWords(s, d string) string {
	isLetter := func(s string, last bool) bool {
		var r rune
		if last {
			r, _ = utf8.DecodeLastRuneInString(s)
		} else {
			r, _ = utf8.DecodeRuneInString(s)
		}
		return unicode.IsLetter(r)
	}
	var b strings.Builder
	for {
		i := strings.Index(s, d)
		if i < 0 {
			break
		}
		if (i > 0 && isLetter(s[:i], true)) || isLetter(s[i+len(d):], false) {
			b.WriteString(s[:i+len(d)])
		} else {
			b.WriteString(s[:i] + " ")
		}
		s = s[i+len(d):]
	}
	return b.String() + s
}

// pageData is what the demo holds that pages show as it is. names are taken
// out of a text wherever they stand as words (names, e-mails, agencies,
// venues, cities, time zones, serials), longest first; texts are data only as
// a whole text (the course's words in each of its languages).
type pageData struct {
	names []string
	texts map[string]bool
}

func demoData(t testing.TB, d *demoDay) *pageData {
	t.Helper()
	ctx := context.Background()
	set := map[string]bool{}
	var ids []int64
	for id := int64(1); id <= 500; id++ {
		ids = append(ids, id)
	}
	users, err := d.ts.DB.Read(ctx).UsersByIDs(ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		set[u.Name], set[u.LatinName], set[u.Email] = true, true, true
	}
	// Agencies have ids from 1 with no gap: the first missing one ends them.
	for id := int64(1); ; id++ {
		ag, err := d.ts.DB.Read(ctx).Agency(id)
		if errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		set[ag.Name] = true
	}
	for _, id := range []int64{d.today, d.past} {
		s, err := d.ts.DB.Read(ctx).Session(id, false)
		if err != nil {
			t.Fatal(err)
		}
		set[s.Venue], set[s.City], set[s.Timezone] = true, true, true
	}
	certs, err := d.ts.DB.Read(ctx).Certificates(store.CertificateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		set[c.Serial] = true
	}
	// The course's titles and accepted answers in each of its languages are
	// also met inside a longer text (a page's title, a crumb, a list).
	c, _ := d.ts.Library.Course(demo.CourseID)
	for _, tx := range append([]*course.CourseText{c.Text(c.Language)}, slices.Collect(maps.Values(c.Texts))...) {
		set[tx.Title] = true
	}
	for _, m := range c.Modules {
		for _, mt := range append([]*course.Module{m}, slices.Collect(maps.Values(m.Translations))...) {
			set[mt.Title] = true
			if q := mt.Quiz; q != nil {
				set[q.Title] = true
			}
		}
	}
	for _, q0 := range c.Quizzes() {
		for _, q := range append([]*course.Quiz{q0}, slices.Collect(maps.Values(q0.Translations))...) {
			set[q.Title] = true
			for _, qu := range q.Questions {
				for _, a := range qu.Answers {
					set[a] = true
				}
			}
		}
	}
	delete(set, "")
	names := slices.Collect(maps.Keys(set))
	sort.Slice(names, func(i, j int) bool {
		return len(names[i]) > len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
	})
	// The course in every language it has: what a trainer wrote, not the
	// interface (a Spanish module may quote an English title).
	set = map[string]bool{}
	var fromHTML []string
	set[c.Title], set[c.Summary], set[c.Audience], set[c.Certificate.Title] = true, true, true, true
	fromHTML = append(fromHTML, string(c.Overview))
	for _, tx := range c.Texts {
		set[tx.Title], set[tx.Summary], set[tx.Audience], set[tx.CertificateTitle] = true, true, true, true
		fromHTML = append(fromHTML, string(tx.Overview))
	}
	for _, m := range c.Modules {
		for _, mt := range append([]*course.Module{m}, slices.Collect(maps.Values(m.Translations))...) {
			set[mt.Title] = true
			for _, o := range mt.Objectives {
				set[o] = true
			}
			fromHTML = append(fromHTML, string(mt.HTML))
		}
	}
	for _, q0 := range c.Quizzes() {
		for _, q := range append([]*course.Quiz{q0}, slices.Collect(maps.Values(q0.Translations))...) {
			set[q.Title] = true
			fromHTML = append(fromHTML, string(q.Intro))
			for _, qu := range q.Questions {
				fromHTML = append(fromHTML, string(qu.PromptHTML), string(qu.ExplanationHTML))
				for _, a := range qu.Answers {
					set[a] = true
				}
				for _, ch := range qu.Choices {
					fromHTML = append(fromHTML, string(ch.HTML))
				}
			}
		}
	}
	for _, h := range fromHTML {
		texts, _, err := visibleTexts(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range texts {
			set[v.text] = true
		}
	}
	for _, n := range names {
		set[n] = true
	}
	return &pageData{names: names, texts: set}
}

// getIn fetches a page as client with the language chosen by Accept-Language
// ("" for none: a cookie chooses).
func getIn(t testing.TB, client *http.Client, u, acceptLanguage string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return send(t, client, req)
}

// mustCatch shows the checker can fail: the sign-in page in its language,
// with English slipped in — a message as English says it, one produced from
// its placeholders, in a title, and (Korean, Hebrew) a word no message has —
// is caught, and the page as served is not.
func (pc *pageChecker) mustCatch(t *testing.T, base string, client *http.Client) {
	t.Helper()
	_, page := getIn(t, client, base+"/login", pc.lang)
	if found, err := pc.check(page); err != nil || len(found) > 0 {
		t.Fatalf("the sign-in page in %s: %v %+v", pc.lang, err, found)
	}
	slips := []struct{ html, text string }{
		{`<p>Courses</p>`, "Courses"},
		{`<p>Attempt  3</p>`, "Attempt 3"},
		{`<a href="/" title="Courses">→</a>`, "Courses"},
	}
	if pc.latin {
		slips = append(slips, struct{ html, text string }{`<p>Loading…</p>`, "Loading…"})
	}
	for _, s := range slips {
		found, err := pc.check(strings.Replace(page, "</main>", s.html+"</main>", 1))
		if err != nil || len(found) != 1 || found[0].text != s.text {
			t.Errorf("in %s, %s slipped into the sign-in page gives %+v %v, want %q caught", pc.lang, s.html, found, err, s.text)
		}
	}
}

// TestLanguages_NoEnglishLeft walks every HTML page of the demo day (the axe
// walk's list: every GET route with the demo's ids) as admin, trainer,
// coordinator, officer and signed out, in every language whose catalogues are
// complete, chosen by Accept-Language and once more by the lectern_lang
// cookie, and fails on visible text (text nodes, the title, the attributes a
// person reads) that an English catalogue message says or produces where the
// language says something else, naming page, role, language, message id and
// text; on Korean and Hebrew pages any Latin word that is not the demo's data
// fails too (a literal that never went through the catalogue).
func TestLanguages_NoEnglishLeft(t *testing.T) {
	began := time.Now()
	cats := catalogues(t)
	gaps := completeness(cats)
	var langs []string
	for lang, areas := range gaps {
		if !slices.Contains(areas, "ui") {
			langs = append(langs, lang)
		} else if slices.Contains(requiredLanguages, lang) {
			t.Errorf("%s is required but its ui catalogue is incomplete", lang)
		}
		for _, a := range areas {
			if slices.Contains(requiredLanguages, lang) && awaiting[lang+" "+a] == "" {
				t.Errorf("%s is required but %s.%s.json lacks English ids", lang, a, lang)
			}
		}
	}
	for _, lang := range requiredLanguages {
		if _, ok := gaps[lang]; !ok {
			t.Errorf("%s is required but has no catalogue", lang)
		}
	}
	sort.Strings(langs)
	t.Logf("walking %v (catalogue gaps: %v)", langs, gaps)

	d := newDemoDay(t)
	ts := d.ts
	data := demoData(t, d)
	paths := d.htmlPaths()
	roles := []string{"admin", "trainer", "coordinator", "officer", "signed out"}
	clients := map[string]*http.Client{}
	for _, role := range roles {
		clients[role] = newBrowser()
		if role != "signed out" {
			clients[role] = ts.browser(t, d.login[role])
		}
	}
	base, _ := url.Parse(ts.URL)
	walked, notYet, awaitedSeen := 0, map[string]bool{}, map[string]bool{}
	for i, lang := range langs {
		pc := newPageChecker(cats, lang, data)
		pc.mustCatch(t, ts.URL, clients["signed out"])
		for j, role := range roles {
			client := clients[role]
			// The cookie takes its turn with one role per language, so every
			// role meets it and the walk stays short.
			hows := []string{"Accept-Language"}
			if (i+len(roles)-j)%len(roles) == 0 {
				hows = append(hows, "cookie")
			}
			for _, how := range hows {
				header := lang
				if how == "cookie" {
					header = ""
					client.Jar.SetCookies(base, []*http.Cookie{{Name: langCookie, Value: lang, Path: "/"}})
				}
				for _, p := range paths {
					res, body := getIn(t, client, ts.URL+p, header)
					if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
						continue
					}
					walked++
					found, err := pc.check(body)
					if err != nil {
						t.Errorf("%s as %s in %s: %v", p, role, lang, err)
					}
					for _, f := range found {
						if k := awaited(lang, f.id); k != "" || f.gap && awaiting[lang+" "+cats["en"][f.id].area] != "" {
							awaitedSeen[fmt.Sprintf("%s: %s on %s: %s: %q", k, lang, pageType(p), f.id, f.text)] = true
							continue
						}
						if !slices.Contains(requiredLanguages, lang) {
							why := "English"
							if f.gap {
								why = "a catalogue gap"
							}
							notYet[fmt.Sprintf("%s: %s on %s: %s: %q", lang, why, pageType(p), f.id, f.text)] = true
							continue
						}
						t.Errorf("%s as %s in %s (%s): %s: %q", p, role, lang, how, f.id, f.text)
					}
				}
				client.Jar.SetCookies(base, []*http.Cookie{{Name: langCookie, Value: "", Path: "/", MaxAge: -1}})
			}
		}
	}
	for _, g := range slices.Sorted(func(yield func(string) bool) {
		for g := range notYet {
			if !yield(g) {
				return
			}
		}
	}) {
		t.Logf("not yet required: %s", g)
	}
	for _, g := range slices.Sorted(maps.Keys(awaitedSeen)) {
		t.Logf("awaiting: %s", g)
	}
	t.Logf("walked %d pages in %d languages in %v", walked, len(langs), time.Since(began).Round(time.Second))
}

// templateLetters returns the words a person would read that a template
// writes itself, outside its {{…}} actions: text between tags (not in script
// or style) and the attributes a person reads. Text templates (.txt) are all
// text.
func templateLetters(name, src string) []string {
	src = templateAction.ReplaceAllString(src, " ")
	var texts []string
	if strings.HasSuffix(name, ".txt") {
		texts = []string{src}
	} else {
		z := html.NewTokenizer(strings.NewReader(src))
		skip := ""
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			switch tt {
			case html.TextToken:
				if skip == "" {
					texts = append(texts, tok.Data)
				}
			case html.StartTagToken, html.SelfClosingTagToken:
				if tok.Data == "script" || tok.Data == "style" {
					skip = tok.Data
				}
				input := tok.Data == "input" && slices.ContainsFunc(tok.Attr, func(a html.Attribute) bool {
					return a.Key == "type" && slices.Contains([]string{"submit", "button", "reset"}, a.Val)
				})
				for _, a := range tok.Attr {
					if slices.Contains(readAttributes, a.Key) || input && a.Key == "value" {
						texts = append(texts, a.Val)
					}
				}
			case html.EndTagToken:
				if tok.Data == skip {
					skip = ""
				}
			}
		}
	}
	var out []string
	for _, s := range texts {
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if identicalToEnglish[w] == "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// templateAction is a {{…}} action or comment of text/template.
var templateAction = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

// TestLanguages_TemplatesWriteNoWords: the page and e-mail templates write no
// word themselves: every one comes from the catalogue (or is data), so no
// language is left with an English one. Only identicalToEnglish's words pass.
func TestLanguages_TemplatesWriteNoWords(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../templates/*.html", "../mail/templates/*.html", "../mail/templates/*.txt"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("found only %d templates: %v", len(files), files)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if words := templateLetters(f, string(src)); len(words) > 0 {
			t.Errorf("%s writes words of its own: %v", f, words)
		}
	}
	// The check finds a word outside actions, in text and in a read attribute,
	// and nothing in a script, an action or a tag's own name and attributes.
	if got := templateLetters("x.html", `<p class="lead" title="Help">{{.L.T "a"}} Hello</p><script>var x = "y"</script>`); !slices.Equal(got, []string{"Help", "Hello"}) {
		t.Errorf("the check finds %v, want [Help Hello]", got)
	}
}
