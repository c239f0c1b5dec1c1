package certify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

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
	doc, err := s.renderPDF(c, baseURL)
	if err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}

func (s *Signer) renderPDF(c *store.Certificate, baseURL string) ([]byte, error) {
	if err := typeset.Load(); err != nil {
		return nil, err
	}
	if len(c.Payload) == 0 || c.Signature == "" {
		return nil, fmt.Errorf("certificate %s has no signed payload", c.Serial)
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
	f.SetTitle(c.Title+" "+c.Serial, true)
	f.SetSubject(c.CourseTitle, true)
	f.SetAuthor(c.Programme, true)
	f.SetCreator("Lectern", false)
	f.SetProducer("Lectern (fpdf)", false)
	f.SetKeywords(payloadMarker+base64.StdEncoding.EncodeToString(signed), false)
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

	// Bottom right: the QR code to the public verification page.
	png, err := qrcode.PNG(verifyURL, 256)
	if err != nil {
		return nil, fmt.Errorf("certificate %s QR code: %w", c.Serial, err)
	}
	const qrSize = 34.0
	qrX, qrY := pageW-26-qrSize, 150.0
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("verify-qr", opts, bytes.NewReader(png))
	f.ImageOptions("verify-qr", qrX, qrY, qrSize, qrSize, false, opts, 0, verifyURL)
	// The address printed beside it (layoutText) is a link too.
	f.LinkString(qrX-60, qrY+qrSize/2-1, 57, 6, verifyURL)

	// The text is laid out twice: first only to list the characters it uses, so
	// each font is added cut down to them (see typeset.Page), then to draw it.
	list := typeset.NewList()
	s.layoutText(list, c, verifyURL, qrX, qrY+qrSize/2)
	s.layoutText(list.On(f), c, verifyURL, qrX, qrY+qrSize/2)

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

// layoutText writes the certificate's text; qrX and qrMid are the QR code's left
// edge and vertical centre.
func (s *Signer) layoutText(p *typeset.Page, c *store.Certificate, verifyURL string, qrX, qrMid float64) {
	centred(p, 31, 12, "", grey, c.Programme)
	centred(p, 49, 26, "B", navy, c.Title)
	centred(p, 65, 12, "", grey, "This is to certify that")
	name, latin := typeset.PrintedName(c.HolderName, c.LatinName)
	// A long name shrinks to 16 pt, then takes up to three lines (centred on
	// where one line would be), rather than shrinking until nobody can read it.
	block := p.Set(name, "B", 32, 16, textWidth, 3)
	y := p.DrawCentred((pageW-textWidth)/2, textWidth, 85-float64(len(block.Lines)-1)*typeset.LineHeight(block.Size)/2, block, "B", black)
	if latin != "" {
		y += 9
		centred(p, y, 12, "", grey, "("+latin+")")
	}
	if c.AgencyName != "" {
		y += 11
		centred(p, y, 15, "", black, c.AgencyName)
	}
	centred(p, y+15, 12, "", grey, "has completed the course")
	centred(p, y+28, 19, "B", navy, c.CourseTitle)
	details := []string{typeset.LongDate(c.SessionDate), typeset.PlaceName(c.City, c.Country)}
	if h := hours(c.Minutes); h != "" {
		details = append(details, h)
	}
	centred(p, y+39, 12, "", black, strings.Join(details, "  ·  "))

	// Bottom left: who taught it, when it was issued, until when it holds, its serial.
	const left = 26.0
	lines := []struct {
		label, value string
	}{
		{"Trainers", c.Trainers},
		{"Issued", typeset.LongDate(c.IssuedAt.UTC().Format("2006-01-02"))},
		{"Valid until", "no expiry"},
		{"Serial", c.Serial},
	}
	if c.ExpiresAt != nil {
		lines[2].value = typeset.LongDate(c.ExpiresAt.UTC().Format("2006-01-02"))
	}
	// A long list of trainers wraps rather than being cut short; the block
	// then starts higher, so its last line stays where it was.
	blocks := make([]typeset.Block, len(lines))
	ly := 163.0
	for i, l := range lines {
		blocks[i] = p.Set(l.value, "B", 10.5, 8, 150, 3)
		ly -= float64(len(blocks[i].Lines)-1) * typeset.LineHeight(blocks[i].Size)
	}
	for i, l := range lines {
		if l.value == "" {
			continue
		}
		p.At(left, ly, 8.5, "", grey, l.label)
		ly = p.Draw(left+24, ly, blocks[i], "B", black) + 7
	}

	// Beside the QR code: where to verify by hand.
	p.AtRight(qrX-3, qrMid-2, 8.5, "", grey, "Scan to verify, or visit")
	p.AtRight(qrX-3, qrMid+3, 7.5, "", navy, verifyURL)

	centred(p, pageH-15.5, 7, "", grey, "Signed with Ed25519 key "+s.KeyID+". Check this file offline with: lectern verify certificate.pdf")
}

// centred draws text centred on the page at baseline y, shrinking it to fit.
func centred(p *typeset.Page, y, size float64, style string, color [3]int, text string) {
	p.CentredIn((pageW-textWidth)/2, textWidth, y, size, style, color, text)
}

func hours(minutes int) string {
	switch {
	case minutes <= 0:
		return ""
	case minutes < 60:
		return fmt.Sprintf("%d minutes", minutes)
	case minutes == 60:
		return "1 hour"
	case minutes%60 == 0:
		return fmt.Sprintf("%d hours", minutes/60)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(minutes)/60), ".0") + " hours"
}
