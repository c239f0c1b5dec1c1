package course

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown is the one goldmark configuration used for every course text: CommonMark
// plus GFM and footnotes, heading ids, and goldmark's safe default (raw HTML is
// omitted and javascript: links are dropped), so a trainer's <script> stays inert.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(linkRewriter{}, 100)),
	),
	// Before GFM's own task-list renderer (500): the lower number is the one used.
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(taskBoxRenderer{}, 100))),
)

// taskBoxRenderer draws a GFM task-list box ("- [ ] item") as GFM does, a
// disabled checkbox, but named by its item's text: a form control without a
// name is read as a bare "checkbox" (WCAG 4.1.2, axe's "label" rule).
type taskBoxRenderer struct{}

func (taskBoxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var label strings.Builder
		for n := node.NextSibling(); n != nil; n = n.NextSibling() {
			_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				switch t := n.(type) {
				case *ast.Text:
					if entering {
						label.Write(t.Value(source))
						if t.SoftLineBreak() || t.HardLineBreak() {
							label.WriteByte(' ')
						}
					}
				case *ast.String:
					if entering {
						label.Write(t.Value)
					}
				}
				return ast.WalkContinue, nil
			})
		}
		checked := ""
		if node.(*east.TaskCheckBox).IsChecked {
			checked = `checked="" `
		}
		fmt.Fprintf(w, `<input %sdisabled="" type="checkbox" aria-label="%s"> `, checked, util.EscapeHTML([]byte(strings.TrimSpace(label.String()))))
		return ast.WalkContinue, nil
	})
}

var docContextKey = parser.NewContextKey()

// docContext tells the link rewriter where a document lives and collects the
// problems it finds, with lines counted in the original file.
type docContext struct {
	course   *Course
	path     string // file path for messages
	lang     string // the file's language when it is a translation ("": the course's)
	body     []byte
	bodyLine int
	files    *courseFiles // what was read from the course folder, and what was not
	probs    *Problems
}

func (dc *docContext) line(offset int) int {
	if offset < 0 || offset > len(dc.body) {
		return dc.bodyLine
	}
	return dc.bodyLine + bytes.Count(dc.body[:offset], []byte("\n"))
}

// renderMarkdown renders body (which starts at bodyLine of the file) to HTML.
func renderMarkdown(body []byte, dc *docContext) (template.HTML, error) {
	dc.body = body
	pc := parser.NewContext()
	pc.Set(docContextKey, dc)
	var buf bytes.Buffer
	if err := markdown.Convert(body, &buf, parser.WithContext(pc)); err != nil {
		return "", fmt.Errorf("render %s: %w", dc.path, err)
	}
	// goldmark escapes everything it did not build itself, so the output is safe HTML.
	return template.HTML(buf.String()), nil
}

type linkRewriter struct{}

func (linkRewriter) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	dc, _ := pc.Get(docContextKey).(*docContext)
	if dc == nil {
		return
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = dc.rewrite(n.Destination, n, false)
		case *ast.Image:
			n.Destination = dc.rewrite(n.Destination, n, true)
		}
		return ast.WalkContinue, nil
	})
}

// rewrite turns a relative link into the URL it is served at, and reports links to
// files that do not exist. Absolute URLs and in-page anchors are left alone.
func (dc *docContext) rewrite(dest []byte, n ast.Node, image bool) []byte {
	raw := string(dest)
	u, err := url.Parse(raw)
	if err != nil || raw == "" || u.Scheme != "" || u.Host != "" || strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "#") {
		return dest
	}
	what := "link"
	if image {
		what = "image"
	}
	target := path.Clean(u.Path)
	line := dc.line(dc.offsetOf(n, raw))
	if strings.HasPrefix(target, "../") || target == ".." {
		dc.probs.add(dc.path, line, "broken %s %q: it points outside the course directory", what, raw)
		return dest
	}
	if why, ok := dc.files.skipped[target]; ok {
		dc.probs.add(dc.path, line, "broken %s %q: the file %s", what, raw, why)
		return dest
	}
	if _, ok := dc.files.sources[target]; !ok {
		dc.probs.add(dc.path, line, "broken %s %q: no such file in the course", what, raw)
		return dest
	}
	base := "/courses/" + url.PathEscape(dc.course.ID) + "/"
	if strings.HasSuffix(target, ".md") {
		if strings.HasSuffix(target, ".quiz.md") || target == "course.md" || strings.Contains(target, "/") {
			dc.probs.add(dc.path, line, "broken %s %q: only module files can be linked", what, raw)
			return dest
		}
		out := base + url.PathEscape(strings.TrimSuffix(target, ".md"))
		if u.Fragment != "" {
			out += "#" + url.PathEscape(u.Fragment)
		}
		return []byte(out)
	}
	out := base + "assets/" + (&url.URL{Path: target}).EscapedPath()
	if u.Fragment != "" {
		out += "#" + u.Fragment
	}
	return []byte(out)
}

// offsetOf finds where a link's destination is written, searching from the start of
// the block that holds it, so a problem can name the right line.
func (dc *docContext) offsetOf(n ast.Node, dest string) int {
	start := 0
	for p := n; p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			start = p.Lines().At(0).Start
			break
		}
	}
	if i := bytes.Index(dc.body[start:], []byte(dest)); i >= 0 {
		return start + i
	}
	return start
}
