package paper

import (
	"html/template"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// para is one block of running text taken from a prompt, a choice or an
// explanation: a paragraph, a list item (with its marker), a table row or a
// line of a code block, indented by how deep it sits in lists and quotes.
type para struct {
	indent int
	marker string // "•", "2." — drawn in the indent before the first line
	text   string
}

// paragraphs turns goldmark's HTML into plain text blocks for paper. Inline
// markup (em, strong, code) prints as its text; a link to the web prints its
// address after the text, since paper cannot be clicked; images print their
// alternative text. Nothing of the markup itself is ever printed.
func paragraphs(h template.HTML) []para {
	nodes, err := html.ParseFragment(strings.NewReader(string(h)), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		// The tokenizer does not fail on malformed markup, only on a failing
		// reader, which a strings.Reader is not; keep the text regardless.
		return []para{{text: collapse(string(h))}}
	}
	w := &walker{}
	for _, n := range nodes {
		w.walk(n)
	}
	w.flush()
	return w.out
}

type walker struct {
	out    []para
	cur    strings.Builder
	indent int
	marker string
	pre    bool
}

// flush ends the block being written (if it holds any text).
func (w *walker) flush() {
	raw := w.cur.String()
	w.cur.Reset()
	if w.pre {
		for _, line := range strings.Split(strings.TrimRight(raw, "\n"), "\n") {
			if strings.TrimSpace(line) != "" {
				w.out = append(w.out, para{indent: w.indent, text: strings.TrimRight(line, " \t")})
			}
		}
		return
	}
	if text := collapse(raw); text != "" {
		w.out = append(w.out, para{indent: w.indent, marker: w.marker, text: text})
		w.marker = "" // a list item's later paragraphs hang under its first
	}
}

func (w *walker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		w.children(n)
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Input: // task-list boxes are markup, not text
		return
	case atom.Br:
		w.flush()
	case atom.Img:
		if alt := attr(n, "alt"); alt != "" {
			w.cur.WriteString("[" + alt + "]")
		}
	case atom.A:
		start := w.cur.Len()
		w.children(n)
		text := strings.TrimSpace(w.cur.String()[start:])
		if href := attr(n, "href"); (strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://")) && href != text {
			w.cur.WriteString(" (" + href + ")")
		}
	case atom.Ul, atom.Ol:
		w.flush()
		w.indent++
		number := 1
		if s, err := strconv.Atoi(attr(n, "start")); err == nil {
			number = s
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Li {
				w.marker = "•"
				if n.DataAtom == atom.Ol {
					w.marker = strconv.Itoa(number) + "."
					number++
				}
			}
			w.walk(c)
		}
		w.flush()
		w.indent--
	case atom.Blockquote:
		w.flush()
		w.indent++
		w.children(n)
		w.flush()
		w.indent--
	case atom.Pre:
		w.flush()
		w.pre = true
		w.children(n)
		w.flush()
		w.pre = false
	case atom.Tr:
		w.flush()
		first := true
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			if !first {
				w.cur.WriteString("  |  ")
			}
			first = false
			w.children(c)
		}
		w.flush()
	case atom.P, atom.Div, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Thead, atom.Tbody, atom.Hr, atom.Dl, atom.Dt, atom.Dd, atom.Section:
		w.flush()
		w.children(n)
		w.flush()
	default:
		w.children(n)
	}
}

func (w *walker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// plain is the HTML as one line of text (a choice in the answer key).
func plain(h template.HTML) string {
	var parts []string
	for _, p := range paragraphs(h) {
		parts = append(parts, strings.TrimSpace(p.marker+" "+p.text))
	}
	return strings.Join(parts, " ")
}
