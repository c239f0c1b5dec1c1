package certify

import (
	"bytes"
	"flag"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/testfixture"
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
		bareDoc(b, font, &buf)
	}
	b.ReportMetric(float64(buf.Len()), "B/pdf")
}

// bareDoc renders the floor's document into buf.
func bareDoc(b *testing.B, font []byte, buf *bytes.Buffer) {
	buf.Reset()
	f := fpdf.New("L", "mm", "A4", "")
	f.SetCompression(true)
	f.AddUTF8FontFromBytes("notosans", "", font)
	f.AddPage()
	f.SetFont("notosans", "", 12)
	f.Text(20, 30, "This is to certify that François Müller-Łukasiewicz")
	if err := f.Output(buf); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCertificateZIP writes a ZIP of 1,000 certificates of mixed-script
// holders (Latin, Greek, Cyrillic, Hebrew, Hangul: exportPeople) as a
// session's download does, one ZIP per iteration (-benchtime 1x is enough):
//
//   - serial: one render at a time, as before the parallel ZIP (window 1);
//   - parallel: renders on every core (the window), no cache;
//   - cold: parallel, through the database caches, emptied before each ZIP
//     (every credential signed, every PDF rendered with it, both kept);
//   - warm: every PDF and credential from the caches.
//
// serial renders the PDFs alone (no credential: the ZIP as it was before
// credentials); parallel, without a database, signs each credential and
// renders its PDF with it, caching neither.
//
// Each reports ms/cert and x-floor, the time per certificate over the
// bare-fpdf floor's time per document (BenchmarkBareFpdfFloor's document,
// 100 of them rendered one at a time in the same run before the ZIPs), and
// cpu-ms/cert and x-floor-cpu, the same in the process's CPU time: on a
// machine busy with other work wall times stretch and parallel renders find
// no idle core, CPU time much less so.
//
//	go test ./internal/certify -run '^$' -bench CertificateZIP -benchtime 1x -count 3
func BenchmarkCertificateZIP(b *testing.B) {
	const n = 1000
	cpu0 := processCPU(b)
	floor := bareFloorPerDoc(b, 100)
	floorCPU := (processCPU(b) - cpu0).Seconds() / 100
	b.Logf("floor: %.2f ms (CPU %.2f ms) per bare fpdf document, GOMAXPROCS %d", floor*1e3, floorCPU*1e3, runtime.GOMAXPROCS(0))
	var cpuStart time.Duration
	report := func(b *testing.B, elapsed time.Duration) {
		perCert := elapsed.Seconds() / float64(b.N) / n
		cpu := (processCPU(b) - cpuStart).Seconds() / float64(b.N) / n
		b.ReportMetric(perCert*1e3, "ms/cert")
		b.ReportMetric(perCert/floor, "x-floor")
		b.ReportMetric(cpu*1e3, "cpu-ms/cert")
		b.ReportMetric(cpu/floorCPU, "x-floor-cpu")
		b.ReportMetric(floor*1e3, "floor-ms/doc")
	}
	run := func(b *testing.B, s *Service, ex *Export, before func()) {
		var out countingDiscard
		var elapsed time.Duration
		cpuStart = processCPU(b)
		for b.Loop() {
			if before != nil {
				b.StopTimer()
				before()
				b.StartTimer()
			}
			start := time.Now()
			if err := s.WriteZIP(b.Context(), &out, ex, nil, nil); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
		}
		report(b, elapsed)
	}
	b.Run("serial", func(b *testing.B) {
		s := testSigner(b)
		ex := exportOf(b, s, n)
		var out countingDiscard
		var elapsed time.Duration
		cpuStart = processCPU(b)
		for b.Loop() {
			start := time.Now()
			err := inOrder(b.Context(), n, 1, func(i int) ([]byte, error) { return s.renderPDF(&ex.certs[i], "https://lectern.example.org", nil) },
				func(_ int, doc []byte) error { _, err := out.Write(doc); return err })
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
		}
		report(b, elapsed)
	})
	b.Run("parallel", func(b *testing.B) {
		s := testSigner(b)
		run(b, exportService(s), exportOf(b, s, n), nil)
	})
	s, ex, db := cachedExport(b, testfixture.SQLite(b), n)
	empty := func() {
		for _, table := range []string{"certificate_pdfs", "certificate_credentials"} {
			if err := db.W.Exec("DELETE FROM " + table).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, s, ex, empty) })
	b.Run("warm", func(b *testing.B) {
		if err := s.WriteZIP(b.Context(), io.Discard, ex, nil, nil); err != nil { // fill the cache
			b.Fatal(err)
		}
		run(b, s, ex, nil)
	})
}

// bareFloorPerDoc renders docs of BenchmarkBareFpdfFloor's document one at a
// time and returns the seconds each took.
func bareFloorPerDoc(b *testing.B, docs int) float64 {
	font, err := typeset.FontFile("NotoSans-Regular.ttf")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	start := time.Now()
	for range docs {
		bareDoc(b, font, &buf)
	}
	return time.Since(start).Seconds() / float64(docs)
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCerts is how many certificates BenchmarkPrerender closes a day with.
var benchCerts = flag.Int("certs", 1000, "certificates of the day BenchmarkPrerender pre-renders")

// BenchmarkPrerender pre-renders a closed day's certificates (-certs, 1,000 by
// default, mixed scripts: exportPeople) as Prerender does after a close, the
// cache emptied before each iteration, then writes the coordinator's first
// ZIP after it. It reports the pre-render's wall and CPU time per
// certificate (one goroutine: at most one core), its CPU over the bare-fpdf
// floor's (measured in the same run), the write transactions per 1,000
// certificates, the first ZIP's wall time for the whole day and how many
// PDFs that ZIP rendered and credentials it signed (0: all from the caches).
//
//	go test ./internal/certify -run '^$' -bench Prerender -benchtime 1x -count 3
func BenchmarkPrerender(b *testing.B) {
	n := *benchCerts
	cpu0 := processCPU(b)
	floor := bareFloorPerDoc(b, 100)
	floorCPU := (processCPU(b) - cpu0).Seconds() / 100
	s, ex, db := cachedExport(b, testfixture.SQLite(b), n)
	if _, err := layoutDigest(); err != nil { // as Prerender does at start
		b.Fatal(err)
	}
	var pre, zipWall, cpu time.Duration
	var writes, zipRenders, zipSigned int64
	for b.Loop() {
		b.StopTimer()
		for _, table := range []string{"certificate_pdfs", "certificate_credentials"} {
			if err := db.W.Exec("DELETE FROM " + table).Error; err != nil {
				b.Fatal(err)
			}
		}
		w0, c0 := s.cacheWrites.Load(), processCPU(b)
		b.StartTimer()
		start := time.Now()
		s.prerenderSession(b.Context(), ex.certs[0].SessionID)
		pre += time.Since(start)
		cpu += processCPU(b) - c0
		writes += s.cacheWrites.Load() - w0
		r0, s0 := s.Rendered(), s.Signed()
		start = time.Now()
		if err := s.WriteZIP(b.Context(), io.Discard, ex, nil, nil); err != nil {
			b.Fatal(err)
		}
		zipWall += time.Since(start)
		zipRenders += s.Rendered() - r0
		zipSigned += s.Signed() - s0
	}
	iters := float64(b.N)
	b.ReportMetric(pre.Seconds()*1e3/iters/float64(n), "prerender-ms/cert")
	b.ReportMetric(cpu.Seconds()*1e3/iters/float64(n), "prerender-cpu-ms/cert")
	b.ReportMetric(cpu.Seconds()/iters/float64(n)/floorCPU, "x-floor-cpu")
	b.ReportMetric(float64(writes)/iters*1000/float64(n), "writes/1000")
	b.ReportMetric(zipWall.Seconds()/iters, "first-zip-s")
	b.ReportMetric(float64(zipRenders)/iters, "zip-renders")
	b.ReportMetric(float64(zipSigned)/iters, "zip-signed")
	b.ReportMetric(floor*1e3, "floor-ms/doc")
}
