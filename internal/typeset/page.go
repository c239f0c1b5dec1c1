package typeset

import (
	"math"
	"slices"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Page draws lines of mixed-script text on an fpdf document, loading each
// embedded font into it only when a line needs it (an unused font costs
// nothing), cut down to the characters the document uses.
//
// A document is therefore laid out twice: first on a listing Page (NewList),
// which draws nothing and only notes the characters of the text, then on
// list.On(pdf), which draws with fonts cut to exactly those characters. Drawing
// a character the listing pass did not see is an error on the document.
type Page struct {
	pdf    *fpdf.Fpdf
	loaded map[string]bool
	runes  map[rune]bool
}

// NewList returns a Page for the listing pass.
func NewList() *Page {
	return &Page{runes: map[rune]bool{}}
}

// On returns a Page drawing on f with the characters listed on p.
func (p *Page) On(f *fpdf.Fpdf) *Page {
	return &Page{pdf: f, loaded: map[string]bool{}, runes: p.runes}
}

// PDF is the document drawn on; nil on a listing Page, so callers skip what
// draws no text (boxes, lines, page breaks) in the listing pass.
func (p *Page) PDF() *fpdf.Fpdf {
	return p.pdf
}

// List notes characters that will be drawn but that the listing pass does not
// draw itself (page numbers known only at the end, say).
func (p *Page) List(s string) {
	for _, r := range s {
		p.runes[r] = true
	}
}

func (p *Page) use(fc *face, style string, size float64) {
	key := fc.family + style
	if !p.loaded[key] {
		used := make([]rune, 0, len(p.runes))
		for r := range p.runes {
			used = append(used, r)
		}
		slices.Sort(used)
		p.pdf.AddUTF8FontFromBytes(fc.family, style, fc.data(style, used))
		p.loaded[key] = true
	}
	p.pdf.SetFont(fc.family, style, size)
}

func (p *Page) width(segs []segment, style string, size float64) float64 {
	if p.pdf == nil {
		return 0
	}
	w := 0.0
	for _, sg := range segs {
		p.use(sg.face, style, size)
		w += p.pdf.GetStringWidth(sg.text)
	}
	return w
}

func (p *Page) draw(x, y float64, segs []segment, style string, size float64, color [3]int) {
	if p.pdf == nil {
		for _, sg := range segs {
			p.List(sg.text)
		}
		return
	}
	p.pdf.SetTextColor(color[0], color[1], color[2])
	for _, sg := range segs {
		for _, r := range sg.text {
			if !p.runes[r] {
				p.pdf.SetErrorf("%q was not listed before drawing: the fonts lack it", r)
			}
		}
		p.use(sg.face, style, size)
		p.pdf.Text(x, y, sg.text)
		x += p.pdf.GetStringWidth(sg.text)
	}
}

// Width is how wide text is drawn in style ("" or "B") at size points, in the
// document's unit; 0 on a listing Page, which measures nothing.
func (p *Page) Width(text, style string, size float64) float64 {
	return p.width(layoutLine(text), style, size)
}

// CentredIn centres text in the band [left, left+width] at baseline y,
// shrinking it to fit (never below 6 pt).
func (p *Page) CentredIn(left, width, y, size float64, style string, color [3]int, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	segs := layoutLine(text)
	w := p.width(segs, style, size)
	if w > width {
		size = math.Max(6, size*width/w)
		w = p.width(segs, style, size)
	}
	p.draw(left+(width-w)/2, y, segs, style, size, color)
}

// At draws text starting at x, baseline y.
func (p *Page) At(x, y, size float64, style string, color [3]int, text string) {
	p.draw(x, y, layoutLine(text), style, size, color)
}

// AtRight draws text ending at right, baseline y.
func (p *Page) AtRight(right, y, size float64, style string, color [3]int, text string) {
	segs := layoutLine(text)
	p.draw(right-p.width(segs, style, size), y, segs, style, size, color)
}

// Block is text set in a column by Set: the size it is drawn at, and its
// lines in logical order.
type Block struct {
	Size  float64
	Lines []string
}

// Set fits text into a column width wide without ever leaving any of it out:
// a name or an address cut short is one nobody can sign in with or check. It
// is set on one line at size if it fits there, else on one line shrunk to no
// less than four fifths of size, else on at most maxLines lines at the largest
// size down to floor that fits them; text that needs more even at floor gets
// as many lines as it needs (callers give it the room). A listing Page
// measures nothing and returns the text as one line at size.
func (p *Page) Set(text, style string, size, floor, width float64, maxLines int) Block {
	text = strings.Join(strings.Fields(text), " ")
	if p.pdf == nil || text == "" {
		return Block{Size: size, Lines: []string{text}}
	}
	const step = 0.25
	oneLine := math.Max(floor, size*0.8)
	w := p.Width(text, style, size)
	if w <= width {
		return Block{Size: size, Lines: []string{text}}
	}
	if s := math.Floor(size*width/w/step) * step; s >= oneLine && p.Width(text, style, s) <= width {
		return Block{Size: s, Lines: []string{text}}
	}
	for s := oneLine; s >= floor; s -= step {
		if lines := p.Wrap(text, style, s, width); len(lines) <= maxLines {
			return Block{Size: s, Lines: lines}
		}
	}
	return Block{Size: floor, Lines: p.Wrap(text, style, floor, width)}
}

// LineHeight is the distance between the baselines of lines set at size
// points, in millimetres.
func LineHeight(size float64) float64 {
	return size * 25.4 / 72 * 1.25
}

// Draw draws b's lines from baseline y down, starting at x, and returns the
// baseline of its last line.
func (p *Page) Draw(x, y float64, b Block, style string, color [3]int) float64 {
	for i, l := range b.Lines {
		if i > 0 {
			y += LineHeight(b.Size)
		}
		p.At(x, y, b.Size, style, color, l)
	}
	return y
}

// DrawRight is Draw with each line ending at right: a column of a
// right-to-left document.
func (p *Page) DrawRight(right, y float64, b Block, style string, color [3]int) float64 {
	for i, l := range b.Lines {
		if i > 0 {
			y += LineHeight(b.Size)
		}
		p.AtRight(right, y, b.Size, style, color, l)
	}
	return y
}

// DrawCentred is Draw with each line centred in [left, left+width].
func (p *Page) DrawCentred(left, width, y float64, b Block, style string, color [3]int) float64 {
	for i, l := range b.Lines {
		if i > 0 {
			y += LineHeight(b.Size)
		}
		segs := layoutLine(l)
		p.draw(left+(width-p.width(segs, style, b.Size))/2, y, segs, style, b.Size, color)
	}
	return y
}

// Wrap breaks text into lines at most width wide, at spaces; a word wider than
// a whole line (an e-mail address, a URL, a hash) is broken where a reader
// expects it (see cut), never with a character added. Lines are in
// logical order: each is put in visual order when drawn. A listing Page
// measures nothing and returns the text as one line.
func (p *Page) Wrap(text, style string, size, width float64) []string {
	words := strings.Fields(text)
	if p.pdf == nil || len(words) == 0 {
		if len(words) == 0 {
			return nil
		}
		return []string{strings.Join(words, " ")}
	}
	var lines []string
	line := ""
	for _, word := range words {
		if line != "" && p.Width(line+" "+word, style, size) <= width {
			line += " " + word
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = word
		for p.Width(line, style, size) > width {
			head := p.cut(line, style, size, width)
			lines = append(lines, head)
			line = line[len(head):]
		}
	}
	return append(lines, line)
}

// cut returns the prefix of word (at least one character) to end a line with
// in width: the longest ending after an '@' if there is one, else after a '.'
// or '/', else after a '-' or '_', else between any two characters. So an
// address breaks as "first.last@" / "police.example.org", and keeps every
// character, in place, for the reader to type.
func (p *Page) cut(word, style string, size, width float64) string {
	r := []rune(word)
	n := 1
	for n < len(r) && p.Width(string(r[:n+1]), style, size) <= width {
		n++
	}
	for _, marks := range []string{"@", "./", "-_"} {
		for k := n; k > 0; k-- {
			if strings.ContainsRune(marks, r[k-1]) && k < len(r) {
				return string(r[:k])
			}
		}
	}
	return string(r[:n])
}
