package csvx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestWriter_EscapeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=SUM(A1)", "'=SUM(A1)"},
		{"=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"", ""},
		{"12", "12"},
		{"3.5", "3.5"},
		{"Ann Lee", "Ann Lee"},
		{"a=b", "a=b"},
		{"O'Brien", "O'Brien"},
		{"'quoted", "'quoted"},
		{" =1", " =1"},
		{"김민준", "김민준"},
		{"דוד כהן", "דוד כהן"},
		{"Дмитрий", "Дмитрий"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := EscapeCell(tt.in); got != tt.want {
				t.Errorf("EscapeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriter_Output(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Write([]string{"name", "score"}))
	must(t, w.Write([]string{"Ann, Lee", "12"}))
	must(t, w.Write([]string{"two\nlines", "3"}))
	must(t, w.Flush())

	want := "\xEF\xBB\xBFname,score\r\n\"Ann, Lee\",12\r\n\"two\r\nlines\",3\r\n"
	if got := b.String(); got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestWriter_RoundTrip(t *testing.T) {
	rows := [][]string{
		{"name", "agency", "score"},
		{"=SUM(A1)", "+1", "-2"},
		{"@cmd", "\tx", "12"},
		{"김민준", "Policía Federal, División \"Cripto\"", "87.5"},
		{"Γιώργος", "דוד כהן", "Дмитрий"},
		{"", "=1+1\n=2", "0"},
	}
	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		in := append([]string(nil), r...)
		must(t, w.Write(r))
		if !reflect.DeepEqual(r, in) {
			t.Errorf("Write changed the caller's record to %q", r)
		}
	}
	must(t, w.Flush())

	body, ok := bytes.CutPrefix(b.Bytes(), bomUTF8)
	if !ok {
		t.Fatalf("no BOM at the start of %q", b.Bytes())
	}
	got, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the export: %v", err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
	}
	for i, r := range rows {
		for j, cell := range r {
			if want := EscapeCell(cell); got[i][j] != want {
				t.Errorf("row %d cell %d = %q, want %q", i, j, got[i][j], want)
			}
		}
	}
}

func TestWriter_InvalidUTF8(t *testing.T) {
	var b strings.Builder
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Write([]string{"Jos\xe9"}))
	must(t, w.Flush())
	if got, want := b.String(), "\uFEFFJos\uFFFD\r\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestWriter_Errors(t *testing.T) {
	boom := errors.New("disk full")
	t.Run("BOM", func(t *testing.T) {
		if _, err := NewWriter(failWriter{boom}); !errors.Is(err, boom) {
			t.Errorf("NewWriter err = %v, want %v", err, boom)
		}
	})
	t.Run("Flush", func(t *testing.T) {
		fw := &failAfter{n: len(bomUTF8), err: boom}
		w, err := NewWriter(fw)
		if err != nil {
			t.Fatal(err)
		}
		_ = w.Write([]string{"a"})
		if err := w.Flush(); !errors.Is(err, boom) {
			t.Errorf("Flush err = %v, want %v", err, boom)
		}
	})
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// failAfter accepts n bytes, then fails.
type failAfter struct {
	n   int
	err error
}

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, w.err
	}
	w.n -= len(p)
	return len(p), nil
}
