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
	"github.com/lectern-platform/lectern/internal/vc"
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

// The ZIP of a session's certificates is rendered a window of PDFs at a time
// and streamed: each certificate has reached the writer when progress is told,
// and after 1,000 certificates the live heap is where it was after 100, though
// the ZIP holds ~30 MB. The renders under way (up to GOMAXPROCS+1, a few MiB
// each) are in the heap too, more or fewer at each reading: the lowest of ten
// readings over certificates 101–200 is compared with the lowest over
// 901–1,000, which held all the PDFs written so far if the ZIP were not
// streamed.
func TestWriteZIP_MemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 1,000 certificates (TestWriteZIP_OpensAndVerifies is the short version)")
	}
	const n, every = 1000, 10
	s := testSigner(t)
	ex := exportOf(t, s, n)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var out countingDiscard
	lowest := func(h, low uint64) uint64 {
		if low == 0 || h < low {
			return h
		}
		return low
	}
	var early, late, peak uint64
	var written int64
	// The fonts cut once per process and the catalogue stay loaded for good:
	// render once before the first reading.
	if _, err := s.renderPDF(&ex.certs[len(exportPeople)-1], "https://lectern.example.org", nil); err != nil {
		t.Fatal(err)
	}
	before := heap()
	start := time.Now()
	err := exportService(s).WriteZIP(t.Context(), &out, ex, nil, func(done, total int) {
		if total != n {
			t.Errorf("progress total = %d, want %d", total, n)
		}
		if out.n <= written {
			t.Errorf("certificate %d: nothing more reached the writer (%d bytes)", done, out.n)
		}
		written = out.n
		if done%every != 0 {
			return
		}
		h := heap()
		peak = max(peak, h)
		switch {
		case done > 100 && done <= 200:
			early = lowest(h, early)
		case done > 900:
			late = lowest(h, late)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	after := heap()
	const mib = 1 << 20
	t.Logf("%d certificates, ZIP %.1f MB in %v (%.1f ms each, GOMAXPROCS %d); live heap before: %.1f MiB, lowest over 101–200: %.1f MiB, over 901–1000: %.1f MiB, peak: %.1f MiB, after: %.1f MiB",
		n, float64(out.n)/1e6, elapsed.Round(time.Millisecond), float64(elapsed.Milliseconds())/n, runtime.GOMAXPROCS(0),
		float64(before)/mib, float64(early)/mib, float64(late)/mib, float64(peak)/mib, float64(after)/mib)
	if out.n < n*20_000 {
		t.Errorf("the ZIP is only %d bytes for %d certificates", out.n, n)
	}
	if early == 0 || late == 0 {
		t.Fatalf("progress was not reported between 100 and 200 and after 900")
	}
	if late > early && late-early >= 8*mib {
		t.Errorf("live heap grew by %.1f MiB between certificates 101–200 and 901–1000: the ZIP is not streamed",
			float64(late-early)/mib)
	}
	if after > before && after-before >= 8*mib {
		t.Errorf("live heap %.1f MiB larger after the ZIP than before: something keeps the PDFs", float64(after-before)/mib)
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
	if err := exportService(s).WriteZIP(t.Context(), f, ex, extras, func(done, total int) { progress = append(progress, done) }); err != nil {
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
	if len(zr.File) != 2*n+1 {
		t.Fatalf("%d files in the ZIP, want %d certificates, each with its credential, and results.csv", len(zr.File), n)
	}
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	for i := range n {
		zf, cred := zr.File[2*i], zr.File[2*i+1]
		c := &ex.certs[i]
		if want := strings.TrimSuffix(ex.fileName(c), ".pdf") + ".json"; cred.Name != want {
			t.Errorf("file %d is %q, want the credential %q", 2*i+1, cred.Name, want)
		}
		if err := verifiesWith(cred, s); err != nil {
			t.Errorf("%s: %v", cred.Name, err)
		}
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
		if got := zr.File[2*i].Name; got != want+ex.certs[i].Serial+".pdf" {
			t.Errorf("file %d is %q, want %q", i, got, want+ex.certs[i].Serial+".pdf")
		}
	}
	if last := zr.File[2*n]; last.Name != "results.csv" || last.Method != zip.Deflate {
		t.Errorf("last file %q (method %d), want results.csv deflated", last.Name, last.Method)
	}
	if strings.Count(zr.File[0].Name, "_") < 2 {
		t.Errorf("file name %q is not Surname_Given_SERIAL.pdf", zr.File[0].Name)
	}
}

// verifiesWith checks a credential in a ZIP verifies with the signer's key.
func verifiesWith(zf *zip.File, s *Signer) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	doc, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	_, err = vc.Verify(doc, func(string) (ed25519.PublicKey, error) { return s.PublicKey(), nil })
	return err
}
