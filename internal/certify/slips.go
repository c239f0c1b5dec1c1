package certify

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/qrcode"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// SlipSheet is a session's printable sign-in slips: one per officer, eight to an
// A4 page with cut lines, for rooms where officers arrive with only a phone, or
// agencies whose mail blocks outside senders. (It is set with package typeset,
// like the certificate: names print in every script the same way.)
type SlipSheet struct {
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
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetTitle("Sign-in slips "+sheet.Course+" "+sheet.Date, true)
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
		msg := "Nobody on this session needs a sign-in slip."
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
	session := typeset.Join(" · ", sheet.Course, typeset.LongDate(sheet.Date), typeset.Join(", ", sheet.Venue, sheet.City))
	for i, sl := range sheet.Slips {
		if i%(slipCols*slipRows) == 0 && p.PDF() != nil {
			p.PDF().AddPage()
			cutLines(p.PDF())
		}
		cell := i % (slipCols * slipRows)
		x0, y0 := float64(cell%slipCols)*slipW, float64(cell/slipCols)*slipH
		left, textW := x0+slipPad, slipW-2*slipPad-slipQR-3
		p.At(left, y0+slipPad+3, 7, "", grey, p.Fit(sheet.Programme, 7, "", slipW-2*slipPad))
		name, _ := typeset.PrintedName(sl.Name, sl.LatinName)
		p.At(left, y0+slipPad+10, 13, "B", black, p.Fit(name, 13, "B", textW))
		p.At(left, y0+slipPad+15.5, 8.5, "", grey, p.Fit(sl.Agency, 8.5, "", textW))
		p.At(left, y0+slipPad+20.5, 7.5, "", grey, p.Fit(session, 7.5, "", textW))
		qrX, qrY := x0+slipW-slipPad-slipQR, y0+slipPad+6
		if p.PDF() != nil {
			p.PDF().ImageOptions(qrs[i], qrX, qrY, slipQR, slipQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		}
		y := y0 + slipPad + 29
		if sl.Link == "" {
			p.At(left, y, 9, "B", navy, "Your account is active.")
			p.At(left, y+5.5, 8, "", black, "Scan the code, or open")
			p.At(left, y+10, 8, "B", black, p.Fit(login, 8, "B", textW))
			p.At(left, y+15, 8, "", black, "and sign in as")
			p.At(left, y+19.5, 8, "B", black, p.Fit(sl.Email, 8, "B", textW))
			continue
		}
		p.At(left, y, 8, "", black, "1. Scan the code with your phone's camera,")
		p.At(left, y+4.5, 8, "", black, "    or open "+strings.TrimPrefix(strings.TrimPrefix(strings.TrimRight(sheet.BaseURL, "/"), "https://"), "http://")+"/activate")
		p.At(left, y+9, 8, "", black, "    and type this code:")
		p.At(left, y+15, 12, "B", navy, sl.Code)
		p.At(left, y+20.5, 8, "", black, "2. Choose your password. That's all.")
		p.At(left, y+26, 7, "", grey, "Personal: do not share. Valid until "+typeset.LongDate(sl.ExpiresAt.UTC().Format("2006-01-02"))+".")
	}
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
