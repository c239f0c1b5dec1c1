package paper

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/qrcode"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// SlipSheet is a session's printable sign-in slips: one per officer, eight to an
// A4 page with cut lines, for rooms where officers arrive with only a phone, or
// agencies whose mail blocks outside senders. (It is set with package typeset,
// like the certificate: names print in every script the same way.)
type SlipSheet struct {
	// L words what is not one officer's (the file's title, an empty sheet):
	// the printer's language.
	L         *i18n.Localizer
	Programme string
	Course    string
	Date      string // YYYY-MM-DD
	Venue     string
	City      string
	BaseURL   string
	Slips     []Slip
}

// Slip is one officer's: an activation link and code, or, for an account that is
// already active, where to sign in.
type Slip struct {
	// L is the officer's language: their slip is worded in it.
	L                   *i18n.Localizer
	Course              string // the course's title in L's language; empty: the sheet's
	Name, Agency, Email string
	LatinName           string // printed instead of Name when the fonts cannot draw Name
	Link, Code          string // empty: already active
	ExpiresAt           time.Time
}

// Slip grid, millimetres (A4 portrait, 2 × 4).
const (
	slipW, slipH = 105.0, 297.0 / 4
	slipCols     = 2
	slipRows     = 4
	slipPad      = 7.0
	slipQR       = 30.0
)

// WriteSlips renders the sheet as a PDF.
func WriteSlips(w io.Writer, sheet SlipSheet) error {
	if err := typeset.Load(); err != nil {
		return err
	}
	if sheet.L == nil {
		return errors.New("render slips: no language to word them in")
	}
	// A slip with no language of its own is in the sheet's.
	slips := slices.Clone(sheet.Slips)
	for i := range slips {
		if slips[i].L == nil {
			slips[i].L = sheet.L
		}
	}
	sheet.Slips = slips
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetTitle(sheet.L.T("documents.slips.title", "Course", sheet.Course, "Date", sheet.L.DateOf(sheet.Date)), true)
	f.SetCreator("Lectern", false)
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	login := strings.TrimRight(sheet.BaseURL, "/") + "/login"
	// QR codes first (fpdf wants images registered before use), then the text in
	// two passes like the certificate: list the characters, then draw.
	qrs := make([]string, len(sheet.Slips))
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	for i, sl := range sheet.Slips {
		target := sl.Link
		if target == "" {
			target = login
		}
		png, err := qrcode.PNG(target, 200)
		if err != nil {
			return fmt.Errorf("slip QR code: %w", err)
		}
		qrs[i] = fmt.Sprintf("slip-%d", i)
		f.RegisterImageOptionsReader(qrs[i], opts, bytes.NewReader(png))
	}
	list := typeset.NewList()
	drawSlips(list, sheet, qrs, login)
	drawSlips(list.On(f), sheet, qrs, login)
	if len(sheet.Slips) == 0 {
		f.AddPage()
		msg := sheet.L.T("documents.slips.none")
		none := typeset.NewList()
		none.List(msg)
		none.On(f).At(20, 30, 12, "", black, msg)
	}
	if err := f.Error(); err != nil {
		return fmt.Errorf("render slips: %w", err)
	}
	return f.Output(w)
}

func drawSlips(p *typeset.Page, sheet SlipSheet, qrs []string, login string) {
	activate := strings.TrimPrefix(strings.TrimPrefix(strings.TrimRight(sheet.BaseURL, "/"), "https://"), "http://") + "/activate"
	for i, sl := range sheet.Slips {
		if i%(slipCols*slipRows) == 0 && p.PDF() != nil {
			p.PDF().AddPage()
			cutLines(p.PDF())
		}
		cell := i % (slipCols * slipRows)
		x0, y0 := float64(cell%slipCols)*slipW, float64(cell/slipCols)*slipH
		if p.PDF() != nil {
			p.PDF().ImageOptions(qrs[i], x0+slipW-slipPad-slipQR, y0+slipQRTop, slipQR, slipQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		}
		// A long name or address takes the room it needs (more lines, below the
		// QR code). If the slip then runs past its bottom, the gaps, the venue
		// and then the programme line give way, never the person's data.
		var lines []slipLine
		for squeeze := 0; squeeze <= 2; squeeze++ {
			if lines = slipLayout(p, sheet, sl, login, activate, squeeze); lines[len(lines)-1].y <= slipBottom {
				break
			}
		}
		for _, l := range lines {
			p.At(x0+slipPad+l.indent, y0+l.y, l.size, l.style, l.color, l.text)
		}
	}
}

// Slip layout, millimetres from a slip's top left corner.
const (
	slipQRTop  = slipPad + 6
	slipBottom = slipH - 5 // the last baseline: descenders stay 4 mm inside the cut line
)

// slipLine is one line of a slip's text: y is its baseline, indent its start
// from the slip's padding.
type slipLine struct {
	y, indent, size float64
	style           string
	color           [3]int
	text            string
}

// slipLayout sets one slip's text: the header (programme, name, agency,
// session) beside the QR code, then what to do, across the slip below the
// code. squeeze 1 closes the gaps and leaves the venue out; 2 also leaves out
// the programme. (A listing Page measures nothing, so there the places are
// meaningless; the characters are what it is for.)
func slipLayout(p *typeset.Page, sheet SlipSheet, sl Slip, login, activate string, squeeze int) []slipLine {
	var lines []slipLine
	y := slipPad + 3.0 // baseline of the next line
	gap := 1.0
	if squeeze > 0 {
		gap = 0.2
	}
	// add sets text from baseline y: in the column beside the QR code if its
	// first line would be level with the code, else across the slip.
	add := func(text, style string, size, floor float64, maxLines int, color [3]int, indent float64) {
		width := slipW - 2*slipPad - indent
		if y-size*25.4/72 < slipQRTop+slipQR+1 {
			width -= slipQR + 3
		}
		b := p.Set(text, style, size, floor, width, maxLines)
		for k, t := range b.Lines {
			if k > 0 {
				y += typeset.LineHeight(b.Size)
			}
			lines = append(lines, slipLine{y, indent, b.Size, style, color, t})
		}
	}
	next := func(size float64) { y += typeset.LineHeight(size) + gap }
	if squeeze < 2 {
		add(sheet.Programme, "", 7, 6, 2, grey, 0)
		next(13)
	} else {
		y += 1.5
	}
	name, _ := typeset.PrintedName(sl.Name, sl.LatinName)
	add(name, "B", 13, 7, 3, black, 0)
	next(8.5)
	add(sl.Agency, "", 8.5, 7, 2, grey, 0)
	next(7.5)
	l := sl.L
	title := sheet.Course
	if sl.Course != "" {
		title = sl.Course
	}
	session := []string{title, l.DateOf(sheet.Date), typeset.Join(", ", sheet.Venue, sheet.City)}
	if squeeze > 0 {
		session = session[:2]
	}
	add(typeset.Join(" · ", session...), "", 7.5, 6.5, 2, grey, 0)
	y = max(y+4+2*gap, slipPad+29)
	if sl.Link == "" {
		add(l.T("documents.slip.active"), "B", 9, 9, 2, navy, 0)
		next(8)
		add(l.T("documents.slip.scan_or_open"), "", 8, 8, 2, black, 0)
		next(8)
		add(login, "B", 8, 7, 3, black, 0)
		next(8)
		add(l.T("documents.slip.sign_in_as"), "", 8, 8, 2, black, 0)
		next(8)
		add(sl.Email, "B", 8, 7, 4, black, 0)
		return lines
	}
	const indent = 3.5 // under the step's text, after its number
	add(l.T("documents.slip.scan"), "", 8, 8, 2, black, 0)
	next(8)
	add(l.T("documents.slip.or_open", "Address", activate), "", 8, 7, 3, black, indent)
	next(8)
	add(l.T("documents.slip.type_code"), "", 8, 8, 2, black, indent)
	next(12)
	add(sl.Code, "B", 12, 12, 1, navy, indent)
	next(8)
	add(l.T("documents.slip.password"), "", 8, 8, 2, black, 0)
	next(7)
	add(l.T("documents.slip.personal", "Date", l.Date(sl.ExpiresAt.UTC())), "", 7, 6, 2, grey, 0)
	return lines
}

// cutLines draws the dashed lines to cut a page of slips along.
func cutLines(f *fpdf.Fpdf) {
	f.SetDrawColor(160, 160, 160)
	f.SetLineWidth(0.2)
	f.SetDashPattern([]float64{2, 1.5}, 0)
	f.Line(slipW, 0, slipW, 297)
	for r := 1; r < slipRows; r++ {
		f.Line(0, float64(r)*slipH, 210, float64(r)*slipH)
	}
	f.SetDashPattern(nil, 0)
}
