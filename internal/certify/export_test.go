package certify

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/base32"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// exportPerson is a holder: the name printed, and the names the ZIP's file
// names are made of.
type exportPerson struct {
	family, given, printed, latin string
}

var exportPeople = []exportPerson{
	{"Müller-Łukasiewicz", "François", "François Müller-Łukasiewicz", ""},
	{"Dupont", "Jeanne", "Jeanne Dupont", ""},
	{"Παπαδόπουλος", "Γιώργος", "Γιώργος Παπαδόπουλος", ""},
	{"Иванов-Щербаков", "Дмитрий", "Дмитрий Иванов-Щербаков", ""},
	{"O'Brien", "Siobhán", "Siobhán O'Brien", ""},
	{"Kowalski", "Jan", "Jan Kowalski", ""},
	{"Cohen", "Daniel", "דניאל כהן", "Daniel Cohen"},
	{"김", "민준", "김민준", "Minjun Kim"},
}

// exportOf builds an export of n certificates as PrepareExport would, without a
// database: each with its own serial, holder and signed payload.
func exportOf(t testing.TB, s *Signer, n int) *Export {
	t.Helper()
	issued := time.Date(2026, 12, 3, 16, 5, 0, 0, time.UTC)
	expires := time.Date(2029, 12, 3, 0, 0, 0, 0, time.UTC)
	ex := &Export{certs: make([]store.Certificate, 0, n), people: map[int64]store.User{}}
	for i := range n {
		person := exportPeople[i%len(exportPeople)]
		id := int64(1000 + i)
		serialBytes := []byte{0x5a, 0x17, 0xc3, 0x09, 0x42, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(serialBytes[6:], uint32(i))
		c := store.Certificate{Serial: base32.StdEncoding.EncodeToString(serialBytes), SessionID: 42, UserID: id,
			Title: "Certificate of attendance and achievement", Programme: "European crypto-asset investigation programme",
			HolderName: person.printed, LatinName: person.latin, AgencyName: "Agency Alpha",
			CourseID: "crypto-101", CourseTitle: "Investigating crypto-asset crime", CourseHash: "ab12cd",
			SessionDate: "2026-12-03", City: "Paris", Country: "FR", Minutes: 390, Trainers: "Anna Schmidt, Kofi Mensah",
			IssuedAt: issued, ExpiresAt: &expires, Status: "valid"}
		signed, err := s.Sign(Payload{Serial: c.Serial, Holder: c.HolderName, Agency: c.AgencyName, Course: c.CourseTitle,
			CourseHash: c.CourseHash, SessionDate: c.SessionDate, City: c.City, Country: c.Country,
			IssuedAt: issued.Format(time.RFC3339), ExpiresAt: expires.Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		c.Payload, c.Signature = signed.Payload, signed.Signature
		ex.certs = append(ex.certs, c)
		ex.people[id] = store.User{ID: id, Name: person.printed, GivenName: person.given, FamilyName: person.family, LatinName: person.latin}
	}
	return ex
}

func exportService(s *Signer) *Service {
	return &Service{signer: s, Options: Options{BaseURL: "https://lectern.example.org"},
		Now: func() time.Time { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }}
}

// countingDiscard counts what is written to it and keeps nothing.
type countingDiscard struct{ n int64 }

func (w *countingDiscard) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// The ZIP of a session's certificates is rendered and written one PDF at a time:
// after 1,000 certificates the live heap is where it was after 100, though the
// ZIP holds ~30 MB.
func TestWriteZIP_MemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 1,000 certificates (TestWriteZIP_OpensAndVerifies is the short version)")
	}
	const n, settled = 1000, 100
	s := testSigner(t)
	ex := exportOf(t, s, n)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var out countingDiscard
	var atSettled, peak, last uint64
	start := time.Now()
	err := exportService(s).WriteZIP(&out, ex, nil, func(done, total int) {
		if total != n {
			t.Errorf("progress total = %d, want %d", total, n)
		}
		if done%settled != 0 {
			return
		}
		h := heap()
		switch {
		case done == settled:
			atSettled = h
		case h > peak:
			peak = h
		}
		last = h
	})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	const mib = 1 << 20
	t.Logf("%d certificates, ZIP %.1f MB in %v (%.1f ms each); live heap after %d: %.1f MiB, after %d: %.1f MiB, peak from %d on: %.1f MiB",
		n, float64(out.n)/1e6, elapsed.Round(time.Millisecond), float64(elapsed.Milliseconds())/n,
		settled, float64(atSettled)/mib, n, float64(last)/mib, 2*settled, float64(peak)/mib)
	if out.n < n*20_000 {
		t.Errorf("the ZIP is only %d bytes for %d certificates", out.n, n)
	}
	if atSettled == 0 || last == 0 {
		t.Fatalf("progress was not reported at %d and %d", settled, n)
	}
	if peak > atSettled && peak-atSettled >= 8*mib {
		t.Errorf("live heap grew by %.1f MiB between certificate %d and %d: the ZIP is not streamed",
			float64(peak-atSettled)/mib, settled, n)
	}
}

// A real ZIP, small: every certificate a stored Surname_Given_SERIAL.pdf that
// verifies, then the extra files.
func TestWriteZIP_OpensAndVerifies(t *testing.T) {
	const n = 20
	s := testSigner(t)
	ex := exportOf(t, s, n)
	file := filepath.Join(t.TempDir(), "certificates.zip")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	extras := []ExtraFile{{Name: "results.csv", Write: func(w io.Writer) error {
		_, err := io.WriteString(w, "serial,holder\n")
		return err
	}}}
	if err := exportService(s).WriteZIP(f, ex, extras, func(done, total int) { progress = append(progress, done) }); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if len(progress) != n || progress[0] != 1 || progress[n-1] != n {
		t.Errorf("progress calls: %v", progress)
	}

	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != n+1 {
		t.Fatalf("%d files in the ZIP, want %d certificates and results.csv", len(zr.File), n)
	}
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	for i, zf := range zr.File[:n] {
		c := &ex.certs[i]
		want := ex.fileName(c)
		if zf.Name != want {
			t.Errorf("file %d is %q, want %q", i, zf.Name, want)
		}
		if zf.Method != zip.Store {
			t.Errorf("%s: method %d; PDFs are compressed already and should be stored", zf.Name, zf.Method)
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		p, err := VerifyPDF(doc, trusted)
		if err != nil {
			t.Errorf("%s does not verify: %v", zf.Name, err)
		} else if p.Serial != c.Serial || p.Holder != c.HolderName {
			t.Errorf("%s carries %s for %q", zf.Name, p.Serial, p.Holder)
		}
	}
	// The names themselves: surname, given name, serial; Latin letters when the
	// holder has them, any script's letters otherwise, "_" for the rest.
	for i, want := range map[int]string{
		0: "Müller-Łukasiewicz_François_",
		1: "Dupont_Jeanne_",
		2: "Παπαδόπουλος_Γιώργος_",
		4: "O_Brien_Siobhán_",
		6: "Cohen_Daniel_", // from the certificate's Latin-letter name
		7: "Kim_Minjun_",
	} {
		if got := zr.File[i].Name; got != want+ex.certs[i].Serial+".pdf" {
			t.Errorf("file %d is %q, want %q", i, got, want+ex.certs[i].Serial+".pdf")
		}
	}
	if last := zr.File[n]; last.Name != "results.csv" || last.Method != zip.Deflate {
		t.Errorf("last file %q (method %d), want results.csv deflated", last.Name, last.Method)
	}
	if strings.Count(zr.File[0].Name, "_") < 2 {
		t.Errorf("file name %q is not Surname_Given_SERIAL.pdf", zr.File[0].Name)
	}
}
