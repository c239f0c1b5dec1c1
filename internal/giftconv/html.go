package giftconv

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToMarkdown converts the [html] text of a GIFT question to Markdown.
// Only a small subset is taken — paragraphs, line breaks, bold, italic,
// underline (kept as text), code, preformatted blocks, lists, headings (as
// bold paragraphs) and http(s)/mailto links —, everything else is refused with
// a reason rather than guessed at: an importer that keeps a <script>, an
// event attribute or an image from another host would put them in front of
// every officer. golang.org/x/net/html (already a dependency) parses it the
// way a browser would, so a malformed tag cannot hide from the check.
func htmlToMarkdown(src string) (string, []string) {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), ctx)
	if err != nil {
		return "", []string{fmt.Sprintf("HTML that cannot be read: %v", err)}
	}
	c := &htmlConv{}
	for _, n := range nodes {
		c.node(n)
	}
	c.flush()
	return strings.Join(c.blocks, "\n\n"), c.refused
}

type htmlConv struct {
	blocks  []string
	para    strings.Builder // the paragraph being built
	refused []string
}

// flush ends the paragraph being built.
func (c *htmlConv) flush() {
	p := strings.TrimSpace(collapseSpace(c.para.String()))
	c.para.Reset()
	if p != "" {
		c.blocks = append(c.blocks, escapeLineStart(p))
	}
}

func (c *htmlConv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.node(ch)
	}
}

func (c *htmlConv) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		c.para.WriteString(escapeInline(n.Data))
		return
	case html.ElementNode:
	default:
		return // comments, doctypes
	}
	if !c.attrsSafe(n) {
		return
	}
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Blockquote:
		c.flush()
		c.children(n)
		c.flush()
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.flush()
		c.wrap(n, "**")
		c.flush()
	case atom.Br:
		c.flush() // a paragraph each: a soft break would read as a space
	case atom.B, atom.Strong:
		c.wrap(n, "**")
	case atom.I, atom.Em:
		c.wrap(n, "*")
	case atom.U, atom.Span:
		c.children(n)
	case atom.Code:
		c.para.WriteString(codeSpan(textOf(n)))
	case atom.Pre:
		// An indented code block, not a fence: the quiz format takes any
		// line starting with ``` or ~~~ for a fence, whatever its length,
		// so a fence around such a line would swallow the choices.
		c.flush()
		lines := strings.Split(strings.Trim(textOf(n), "\n"), "\n")
		for i, l := range lines {
			lines[i] = "    " + strings.TrimRight(l, " \t\r")
		}
		c.blocks = append(c.blocks, strings.Join(lines, "\n"))
	case atom.Ul, atom.Ol:
		c.flush()
		c.list(n)
	case atom.A:
		c.link(n)
	default:
		c.refuse(n)
	}
}

// wrap writes the element's inline content between marks, with the spaces
// outside them (Markdown does not take "** bold**" as bold).
func (c *htmlConv) wrap(n *html.Node, mark string) {
	inner := &htmlConv{}
	inner.children(n)
	c.refused = append(c.refused, inner.refused...)
	if len(inner.blocks) > 0 {
		c.refused = append(c.refused, fmt.Sprintf("HTML <%s> holds paragraphs or lists: only text can be made %s", n.Data, markName(mark)))
		return
	}
	text := collapseSpace(inner.para.String())
	core := strings.TrimSpace(text)
	if core == "" {
		c.para.WriteString(text)
		return
	}
	if strings.HasPrefix(text, " ") {
		c.para.WriteString(" ")
	}
	c.para.WriteString(mark + core + mark)
	if strings.HasSuffix(text, " ") {
		c.para.WriteString(" ")
	}
}

func markName(mark string) string {
	if mark == "**" {
		return "bold"
	}
	return "italic"
}

func (c *htmlConv) list(n *html.Node) {
	var items []string
	defer func() {
		if len(items) > 0 {
			c.blocks = append(c.blocks, strings.Join(items, "\n"))
		}
	}()
	i := 0
	for li := n.FirstChild; li != nil; li = li.NextSibling {
		switch {
		case li.Type == html.TextNode && strings.TrimSpace(li.Data) == "":
			continue
		case li.Type != html.ElementNode || li.DataAtom != atom.Li:
			c.refused = append(c.refused, fmt.Sprintf("HTML <%s> holds something other than <li> items", n.Data))
			continue
		}
		if !c.attrsSafe(li) {
			continue
		}
		inner := &htmlConv{}
		inner.children(li)
		c.refused = append(c.refused, inner.refused...)
		if len(inner.blocks) > 0 {
			c.refused = append(c.refused, "HTML <li> holds paragraphs or another list: only one level of simple items is imported")
			continue
		}
		i++
		marker := "- "
		if n.DataAtom == atom.Ol {
			marker = fmt.Sprintf("%d. ", i)
		}
		items = append(items, marker+escapeLineStart(strings.TrimSpace(collapseSpace(inner.para.String()))))
	}
}

func (c *htmlConv) link(n *html.Node) {
	href := attr(n, "href")
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || !(u.Scheme == "https" || u.Scheme == "http" || u.Scheme == "mailto") {
		c.refused = append(c.refused, fmt.Sprintf("HTML link to %q: only http, https and mailto links are imported", href))
		return
	}
	inner := &htmlConv{}
	inner.children(n)
	c.refused = append(c.refused, inner.refused...)
	text := strings.TrimSpace(collapseSpace(inner.para.String()))
	if text == "" {
		text = escapeInline(u.String())
	}
	dest := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	c.para.WriteString("[" + text + "](" + dest + ")")
}

// refused tags name why: an officer's page must not run, load or show
// something the trainer did not write in Markdown.
func (c *htmlConv) refuse(n *html.Node) {
	why := "it has no Markdown equivalent here; rewrite the text in Markdown"
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Iframe, atom.Object, atom.Embed, atom.Frame, atom.Frameset, atom.Link, atom.Meta, atom.Base:
		why = "active or embedded content is never imported"
	case atom.Img, atom.Picture, atom.Svg, atom.Video, atom.Audio, atom.Source:
		why = "GIFT carries no media files; put the file in the course's images/ folder and link it in Markdown"
	case atom.Form, atom.Input, atom.Button, atom.Select, atom.Textarea:
		why = "form controls are never imported"
	case atom.Table:
		why = "tables are not converted; rewrite it as a Markdown table"
	}
	c.refused = append(c.refused, fmt.Sprintf("HTML <%s> is not imported: %s", n.Data, why))
}

// attrsSafe refuses event handlers and script URLs on any element; other
// attributes (style, class, dir, lang) are dropped, as Markdown has no place
// for them.
func (c *htmlConv) attrsSafe(n *html.Node) bool {
	for _, a := range n.Attr {
		k := strings.ToLower(a.Key)
		v := strings.ToLower(strings.TrimSpace(a.Val))
		if strings.HasPrefix(k, "on") {
			c.refused = append(c.refused, fmt.Sprintf("HTML <%s %s=…> is not imported: event handlers are never imported", n.Data, a.Key))
			return false
		}
		for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
			if strings.HasPrefix(v, scheme) {
				c.refused = append(c.refused, fmt.Sprintf("HTML <%s %s=\"%s…\"> is not imported: script and data URLs are never imported", n.Data, a.Key, scheme))
				return false
			}
		}
	}
	return true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// textOf is the text inside an element, as written (for code and pre).
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteString("\n")
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

func codeSpan(s string) string {
	s = collapseSpace(s)
	tick := "`"
	for strings.Contains(s, tick) {
		tick += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return tick + s + tick
}

var spaceRun = regexp.MustCompile(`[ \t\r\n\f]+`)

func collapseSpace(s string) string { return spaceRun.ReplaceAllString(s, " ") }

// escapeInline backslash-escapes the characters that Markdown would read as
// markup inside a line.
func escapeInline(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

var orderedStart = regexp.MustCompile(`^(\d{1,9})([.)])`)

// escapeLineStart escapes block syntax at the start of a line: a list
// ("- ", "+ ", "1. "), a heading, a quote, a setext underline.
func escapeLineStart(l string) string {
	if m := orderedStart.FindStringSubmatch(l); m != nil {
		return m[1] + `\` + l[len(m[1]):]
	}
	if l != "" && strings.ContainsRune("-+=#>", rune(l[0])) {
		return `\` + l
	}
	return l
}

// plainToMarkdown escapes text meant literally ([plain], [moodle] or no
// format) so that Markdown shows it as written.
func plainToMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		// Leading spaces go too: four of them would make a code block.
		lines[i] = escapeLineStart(escapeInline(strings.TrimSpace(l)))
	}
	return strings.Join(lines, "\n")
}
