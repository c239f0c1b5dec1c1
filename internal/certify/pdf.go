package certify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/qrcode"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// The PDF carries the signed payload in its document information (Keywords,
// base64, so no PDF string escaping is involved) and ends with a signature line
// over every byte before it. `lectern verify` needs nothing else: changing any
// byte of the file (the printed name, the payload, the signature) makes it fail.
const (
	payloadMarker   = "lectern-certificate-v1:"
	signatureMarker = "%LECTERN-SIGNATURE "
)

// Page geometry, in millimetres (A4 landscape).
const (
	pageW, pageH = 297.0, 210.0
	textWidth    = 235.0 // widest a centred line may grow before it shrinks
	margin       = 26.0  // from the page's edge to the bottom's text and QR code
	qrSize       = 34.0
)

var (
	navy  = [3]int{22, 43, 77}
	gold  = [3]int{176, 141, 60}
	grey  = [3]int{90, 96, 108}
	black = [3]int{20, 20, 20}
)

// WritePDF renders a certificate as a signed A4 landscape PDF. baseURL is the
// public address its QR code and link point to (/verify/SERIAL). The same
// certificate always renders to the same bytes.
func (s *Signer) WritePDF(w io.Writer, c *store.Certificate, baseURL string) error {
	doc, err := s.renderPDF(c, baseURL, nil)
	if err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}

// renderPDF renders c; credential, when given, is embedded as the file
// attachment CredentialFileName (the Open Badges credential travels with
// the PDF; the file's signature line covers it like every other byte).
func (s *Signer) renderPDF(c *store.Certificate, baseURL string, credential []byte) ([]byte, error) {
	cat, err := documents()
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Serial, err)
	}
	return s.renderWith(cat, c, baseURL, credential)
}

// CredentialFileName is the name of a certificate's Open Badges credential:
// attached to its PDF, beside it in a ZIP (with the PDF's base name), and
// as downloaded.
const CredentialFileName = "certificate.json"

// renderWith is renderPDF with the catalogue's words and formats of cat.
func (s *Signer) renderWith(cat *i18n.Catalog, c *store.Certificate, baseURL string, credential []byte) ([]byte, error) {
	if err := typeset.Load(); err != nil {
		return nil, err
	}
	if len(c.Payload) == 0 || c.Signature == "" {
		return nil, fmt.Errorf("certificate %s has no signed payload", c.Serial)
	}
	ws, err := readWording(c)
	if err != nil {
		return nil, err
	}
	langs := make([]language, len(ws))
	for i, w := range ws {
		langs[i] = language{Localizer: cat.For(cat.Match(w.Lang)), wording: w}
	}
	signed, err := json.Marshal(Signed{Payload: c.Payload, Signature: c.Signature})
	if err != nil {
		return nil, fmt.Errorf("encode signed payload: %w", err)
	}
	verifyURL := strings.TrimRight(baseURL, "/") + "/verify/" + c.Serial

	f := fpdf.New("L", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(c.IssuedAt.UTC())
	f.SetModificationDate(c.IssuedAt.UTC())
	f.SetCompression(true)
	f.SetTitle(langs[0].Title+" "+c.Serial, true)
	f.SetSubject(langs[0].Course, true)
	f.SetAuthor(c.Programme, true)
	f.SetCreator("Lectern", false)
	f.SetProducer("Lectern (fpdf)", false)
	f.SetKeywords(payloadMarker+base64.StdEncoding.EncodeToString(signed), false)
	if credential != nil {
		f.SetAttachments([]fpdf.Attachment{{Content: credential, Filename: CredentialFileName, Description: "Open Badges 3.0 credential"}})
	}
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	f.AddPage()

	// Frame: a heavy navy rule and a fine gold one inside it.
	f.SetDrawColor(navy[0], navy[1], navy[2])
	f.SetLineWidth(1.6)
	f.Rect(9, 9, pageW-18, pageH-18, "D")
	f.SetDrawColor(gold[0], gold[1], gold[2])
	f.SetLineWidth(0.4)
	f.Rect(13, 13, pageW-26, pageH-26, "D")

	// Bottom right: the QR code to the public verification page; bottom left
	// on a certificate in a right-to-left language, which mirrors the bottom
	// (see layoutText).
	rtl := langs[0].Dir() == "rtl"
	qrX, qrY := pageW-margin-qrSize, 150.0
	linkX := qrX - 60
	if rtl {
		qrX, linkX = margin, margin+qrSize+3
	}
	if err := drawQR(f, verifyURL, qrX, qrY); err != nil {
		return nil, fmt.Errorf("certificate %s QR code: %w", c.Serial, err)
	}
	f.LinkString(qrX, qrY, qrSize, qrSize, verifyURL)
	// The address printed beside it (layoutText) is a link too.
	f.LinkString(linkX, qrY+qrSize/2-1, 57, 6, verifyURL)

	// The text is laid out twice: first only to list the characters it uses, so
	// each font is added cut down to them (see typeset.Page), then to draw it.
	list := typeset.NewList()
	s.layoutText(list, c, langs, verifyURL, qrX, qrY+qrSize/2)
	s.layoutText(list.On(f), c, langs, verifyURL, qrX, qrY+qrSize/2)

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("render certificate %s: %w", c.Serial, err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render certificate %s: %w", c.Serial, err)
	}
	doc := buf.Bytes()
	sig := ed25519.Sign(s.key, doc)
	doc = append(doc, signatureMarker+s.KeyID+" "+base64.StdEncoding.EncodeToString(sig)+"\n"...)
	return doc, nil
}

// qrPixels is the side of the PNG the QR code was once drawn from: drawQR
// places the modules where that image had them (a whole number of pixels
// each, the rest a margin around them), so the page looks as it did.
const qrPixels = 256

// drawQR draws the QR code of content in the qrSize square at (x, y) as
// filled squares, each row's runs of dark modules one rectangle: an image
// would cost a PNG encode and decode per certificate (a sixth of a render).
func drawQR(f *fpdf.Fpdf, content string, x, y float64) error {
	n, dark, err := qrcode.Modules(content)
	if err != nil {
		return err
	}
	scale := qrPixels / n
	if scale < 1 {
		return fmt.Errorf("%d modules do not fit %d pixels", n, qrPixels)
	}
	module := qrSize * float64(scale) / qrPixels
	x += qrSize * float64((qrPixels-n*scale)/2) / qrPixels
	y += qrSize * float64((qrPixels-n*scale)/2) / qrPixels
	f.SetFillColor(0, 0, 0)
	for row := range n {
		for col := 0; col < n; {
			if !dark(col, row) {
				col++
				continue
			}
			run := col
			for run < n && dark(run, row) {
				run++
			}
			f.Rect(x+float64(col)*module, y+float64(row)*module, float64(run-col)*module, module, "F")
			col = run
		}
	}
	return nil
}

// language is one language a certificate is printed in: the catalogue's
// words and formats, and the certificate's own titles.
type language struct {
	*i18n.Localizer
	wording
}

// layoutText writes the certificate's text in its language, or, bilingual,
// every line in the first language with the second below it, smaller; qrX and
// qrMid are the QR code's left edge and vertical centre. The first language's
// direction sets the bottom's: a right-to-left certificate has its labels on
// the right, their values to their left, and the QR code (placed by
// renderPDF) on the left with the words about it on its right.
func (s *Signer) layoutText(p *typeset.Page, c *store.Certificate, langs []language, verifyURL string, qrX, qrMid float64) {
	top, sub := langs[0], langs[len(langs)-1]
	two := len(langs) == 2
	// pair draws text in the first language at baseline y and, bilingual, the
	// second's below it at y+dy in a smaller size (not repeated when the two
	// read the same: a course title nobody translated).
	pair := func(y, size float64, style string, color [3]int, dy, subSize float64, text func(language) string) {
		centred(p, y, size, style, color, text(top))
		if two && text(sub) != text(top) {
			centred(p, y+dy, subSize, style, color, text(sub))
		}
	}
	nameY := 85.0
	if !two {
		centred(p, 31, 12, "", grey, c.Programme)
		centred(p, 49, 26, "B", navy, top.Title)
		centred(p, 65, 12, "", grey, top.T("documents.certificate.certify"))
	} else {
		centred(p, 28, 11, "", grey, c.Programme)
		pair(43, 24, "B", navy, 9, 14, func(l language) string { return l.Title })
		pair(61.5, 11.5, "", grey, 5, 9.5, func(l language) string { return l.T("documents.certificate.certify") })
		nameY = 82
	}
	name, latin := typeset.PrintedName(c.HolderName, c.LatinName)
	// A long name shrinks to 16 pt, then takes up to three lines (centred on
	// where one line would be), rather than shrinking until nobody can read it.
	block := p.Set(name, "B", 32, 16, textWidth, 3)
	y := p.DrawCentred((pageW-textWidth)/2, textWidth, nameY-float64(len(block.Lines)-1)*typeset.LineHeight(block.Size)/2, block, "B", black)
	if latin != "" {
		y += 9
		centred(p, y, 12, "", grey, "("+latin+")")
	}
	if c.AgencyName != "" {
		y += 11
		centred(p, y, 15, "", black, c.AgencyName)
	}
	details := func(l language) string {
		parts := []string{l.DateOf(c.SessionDate), l.Place(c.City, c.Country)}
		if h := hours(l.Localizer, c.Minutes); h != "" {
			parts = append(parts, h)
		}
		return strings.Join(parts, "  ·  ")
	}
	if !two {
		centred(p, y+15, 12, "", grey, top.T("documents.certificate.completed"))
		centred(p, y+28, 19, "B", navy, top.Course)
		centred(p, y+39, 12, "", black, details(top))
	} else {
		pair(y+11, 11.5, "", grey, 4.5, 9.5, func(l language) string { return l.T("documents.certificate.completed") })
		pair(y+25, 17, "B", navy, 6.5, 12, func(l language) string { return l.Course })
		pair(y+39, 11, "", black, 5, 9.5, details)
	}

	// Bottom left (right, right to left): who taught it, when it was issued,
	// until when it holds, its serial; bilingual, each label and each date in
	// both languages, the second below the first (one line of mixed directions
	// would read wrong in one of them).
	rtl := top.Dir() == "rtl"
	// at draws text starting x from the block's edge: from the left margin,
	// or ending x from the right one right to left; column does a Block so.
	at := func(x, y, size float64, style string, color [3]int, text string) {
		if rtl {
			p.AtRight(pageW-margin-x, y, size, style, color, text)
		} else {
			p.At(margin+x, y, size, style, color, text)
		}
	}
	column := func(x, y float64, b typeset.Block) float64 {
		if rtl {
			return p.DrawRight(pageW-margin-x, y, b, "B", black)
		}
		return p.Draw(margin+x, y, b, "B", black)
	}
	second := func(text func(language) string) string {
		if !two || text(sub) == text(top) {
			return ""
		}
		return text(sub)
	}
	issued := func(l language) string { return l.Date(c.IssuedAt.UTC()) }
	expiry := func(l language) string { return l.T("documents.certificate.no_expiry") }
	if c.ExpiresAt != nil {
		expiry = func(l language) string { return l.Date(c.ExpiresAt.UTC()) }
	}
	lines := []struct {
		label, value, sub string
	}{
		{"documents.certificate.trainers", c.Trainers, ""},
		{"documents.certificate.issued", issued(top), second(issued)},
		{"documents.certificate.valid_until", expiry(top), second(expiry)},
		{"documents.certificate.serial", c.Serial, ""},
	}
	// The labels' column is as wide as the widest label, in either language.
	labelW := 24.0
	for _, l := range lines {
		for _, lang := range langs {
			labelW = max(labelW, p.Width(lang.T(l.label), "", 8.5)+3)
		}
	}
	// A long list of trainers wraps rather than being cut short; the block
	// then starts higher, so its last line stays where it was.
	valueW := min(150, pageW-2*margin-qrSize-65-labelW)
	blocks := make([]typeset.Block, len(lines))
	ly := 163.0
	for i, l := range lines {
		blocks[i] = p.Set(l.value, "B", 10.5, 8, valueW, 3)
		ly -= float64(len(blocks[i].Lines)-1) * typeset.LineHeight(blocks[i].Size)
	}
	for i, l := range lines {
		if l.value == "" {
			continue
		}
		at(0, ly, 8.5, "", grey, top.T(l.label))
		if two {
			at(0, ly+3.2, 6.5, "", grey, sub.T(l.label))
		}
		last := column(labelW, ly, blocks[i])
		if l.sub != "" {
			at(labelW, last+3.2, 7.5, "", grey, l.sub)
		}
		ly = last + 7
	}

	// Beside the QR code, on the page's side of it: where to verify by hand.
	beside := func(y, size float64, color [3]int, text string) {
		if rtl {
			p.At(qrX+qrSize+3, y, size, "", color, text)
		} else {
			p.AtRight(qrX-3, y, size, "", color, text)
		}
	}
	if !two {
		beside(qrMid-2, 8.5, grey, top.T("documents.certificate.scan"))
	} else {
		beside(qrMid-5.5, 8.5, grey, top.T("documents.certificate.scan"))
		beside(qrMid-1.5, 7, grey, sub.T("documents.certificate.scan"))
	}
	beside(qrMid+3, 7.5, navy, verifyURL)

	signed := func(l language) string { return l.T("documents.certificate.signed", "KeyID", s.KeyID) }
	if !two {
		centred(p, pageH-15.5, 7, "", grey, signed(top))
	} else {
		centred(p, pageH-18.5, 6.5, "", grey, signed(top))
		centred(p, pageH-15.5, 6.5, "", grey, signed(sub))
	}
}

// centred draws text centred on the page at baseline y, shrinking it to fit.
func centred(p *typeset.Page, y, size float64, style string, color [3]int, text string) {
	p.CentredIn((pageW-textWidth)/2, textWidth, y, size, style, color, text)
}

// hours is the instruction time in l: "45 minutes", "1 hour", "6.5 hours",
// "6,5 heures".
func hours(l *i18n.Localizer, minutes int) string {
	if minutes <= 0 {
		return ""
	}
	if minutes < 60 {
		return l.T("documents.certificate.minutes", "Count", minutes)
	}
	h := math.Round(float64(minutes)/6) / 10
	return l.T("documents.certificate.hours", "Count", strconv.FormatFloat(h, 'f', -1, 64), "Hours", l.Number(h))
}
