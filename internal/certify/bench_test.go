package certify

import (
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// Certificate speed is reported against BenchmarkBareFpdfFloor, run in the same
// process: see BENCHMARKS.md ("Certificate PDFs").
//
//	go test -run '^$' -bench . -benchmem -count 3 ./internal/certify/

// BenchmarkCertificatePDF renders a full signed certificate (fonts per script,
// QR code, signature) per holder-name script.
func BenchmarkCertificatePDF(b *testing.B) {
	s := testSigner(b)
	for _, script := range []string{"latin", "hebrew", "hangul", "arabic"} {
		b.Run(script, func(b *testing.B) {
			c := signedCertificate(b, s, pdftest.ScriptNames[script], "Agency Alpha")
			var buf bytes.Buffer
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				buf.Reset()
				if err := s.WritePDF(&buf, c, "https://lectern.example.org"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/pdf")
		})
	}
}

// BenchmarkBareFpdfFloor is the cheapest fpdf document doing the same kind of
// work: an A4 landscape page, one embedded (subset) UTF-8 TrueType font — Noto
// Sans regular from the embedded fonts — one line of text, written to a buffer.
func BenchmarkBareFpdfFloor(b *testing.B) {
	font, err := typeset.FontFile("NotoSans-Regular.ttf")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		f := fpdf.New("L", "mm", "A4", "")
		f.SetCompression(true)
		f.AddUTF8FontFromBytes("notosans", "", font)
		f.AddPage()
		f.SetFont("notosans", "", 12)
		f.Text(20, 30, "This is to certify that François Müller-Łukasiewicz")
		if err := f.Output(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "B/pdf")
}
