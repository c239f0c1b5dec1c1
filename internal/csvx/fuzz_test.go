package csvx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

const fuzzMaxRows = 1000

var (
	fuzzRequired = []string{"email", "name"}
	fuzzOptional = []string{"latin_name"}
)

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"email,name\nann@example.org,Ann Lee\n",
		"\uFEFFName;Email;latin_name\r\nJérôme Dupont;jerome@police.fr;Dupont, Jerome\r\n",
		"sep=;\r\nname;email\r\nAnn, Jr;ann@example.org\r\n",
		"name;email\rAnn;ann@example.org\rBo;bo@example.org\r",
		"name,email\nJos\xe9 P\xe9rez,jose@example.org\n",
		"\xff\xfen\x00a\x00m\x00e\x00",
		"name,email\n\"Ann\nLee\",ann@x\n\"Bo,bo@x\nCy,cy@x\n",
		"name,email,\nAnn,ann@x,oops\nBo\n\"Cy\"x,cy@x\n",
		"\n;;\n\"\"\nname,email\n\n,\nA,a@x\n",
		"",
		"\uFEFF",
		"name,email,name\n",
		"name,emial\n",
		"sep=|\nname|email\n",
		"\"\nsep=;\nname;email\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, rowErrs, err := Read(bytes.NewReader(data), fuzzRequired, fuzzOptional, fuzzMaxRows)
		lines := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is %T, not *FileError: %v", err, err)
			}
			if fe.Line < 0 || fe.Line > lines {
				t.Errorf("FileError line %d outside the file (%d lines): %v", fe.Line, lines, err)
			}
			if strings.TrimSpace(fe.Msg.String()) == "" {
				t.Errorf("FileError without a message: %#v", fe)
			}
			if tab != nil || rowErrs != nil {
				t.Errorf("an error came with a table or row errors: %v %v", tab, rowErrs)
			}
			return
		}
		if tab == nil {
			t.Fatal("no error and no table")
		}
		allowed := slices.Concat(fuzzRequired, fuzzOptional)
		for _, c := range tab.Columns {
			if !slices.Contains(allowed, c) {
				t.Errorf("unknown column %q accepted", c)
			}
		}
		for _, c := range fuzzRequired {
			if !slices.Contains(tab.Columns, c) {
				t.Errorf("required column %q missing from %v", c, tab.Columns)
			}
		}
		if len(tab.Records)+len(rowErrs) > fuzzMaxRows {
			t.Errorf("%d records and %d row errors: more than %d rows", len(tab.Records), len(rowErrs), fuzzMaxRows)
		}
		prev := 1
		for _, r := range tab.Records {
			if r.Line <= prev || r.Line > lines {
				t.Errorf("record line %d after line %d (file has %d lines)", r.Line, prev, lines)
			}
			prev = r.Line
			if len(r.Values) != len(tab.Columns) {
				t.Errorf("line %d: values %v for columns %v", r.Line, r.Values, tab.Columns)
			}
			for k, v := range r.Values {
				if !slices.Contains(tab.Columns, k) {
					t.Errorf("line %d: value for unknown column %q", r.Line, k)
				}
				if v != trim(v) {
					t.Errorf("line %d: value %q is not trimmed", r.Line, v)
				}
			}
		}
		prev = 1
		for _, re := range rowErrs {
			if re.Row < 2 || re.Row <= prev || re.Row > lines {
				t.Errorf("row error on line %d after line %d (file has %d lines): %+v", re.Row, prev, lines, re)
			}
			prev = re.Row
			if strings.TrimSpace(re.Msg.String()) == "" {
				t.Errorf("row error without a message: %+v", re)
			}
			for _, r := range tab.Records {
				if r.Line == re.Row {
					t.Errorf("line %d is both a record and a row error", r.Line)
				}
			}
		}
	})
}

// FuzzWriterRoundTrip writes rows (split on \x1e) of cells (split on \x1f) and reads
// the export back as a spreadsheet would.
func FuzzWriterRoundTrip(f *testing.F) {
	for _, s := range []string{
		"name\x1fscore\x1eAnn, Lee\x1f12\x1etwo\nlines\x1f3",
		"=SUM(A1)\x1f+1\x1f-2\x1f@cmd\x1f\tx",
		"\"quoted\"\x1f'quoted\x1f \x1f =1\x1f\\.",
		"김민준\x1fדוד כהן\x1fДмитрий\x1fJos\xe9",
		"\uFEFFbom\x1f\uFEFF\x1e\x1f\x1e",
		"a\x1e\x1eb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(in, "\r") {
			t.Skip("a carriage return inside a cell does not survive CRLF line ends")
		}
		var rows [][]string
		for _, row := range strings.Split(in, "\x1e") {
			rows = append(rows, strings.Split(row, "\x1f"))
		}

		var b bytes.Buffer
		w, err := NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			orig := slices.Clone(row)
			if err := w.Write(row); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(row, orig) {
				t.Fatalf("Write changed its argument: %q became %q", orig, row)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}

		out := b.Bytes()
		if !bytes.HasPrefix(out, bomUTF8) {
			t.Fatalf("no BOM: %q", out)
		}
		out = out[len(bomUTF8):]
		if bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
			t.Errorf("a line end is not CRLF: %q", out)
		}

		cr := csv.NewReader(bytes.NewReader(out))
		cr.FieldsPerRecord = -1
		var want [][]string
		for _, row := range rows {
			// encoding/csv writes a record of one empty field as an empty line, and
			// every CSV reader skips empty lines.
			if len(row) == 1 && row[0] == "" {
				continue
			}
			var cells []string
			for _, c := range row {
				cells = append(cells, EscapeCell(strings.ToValidUTF8(c, "\uFFFD")))
			}
			want = append(want, cells)
		}
		var got [][]string
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("re-reading the export: %v\n%q", err, out)
			}
			got = append(got, rec)
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("cell %q would run as a formula", c)
				}
			}
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("round trip:\n got %q\nwant %q\n csv %q", got, want, out)
		}

		// Read refuses NUL bytes by contract: they mean UTF-16 far more often than
		// a name with a NUL in it.
		if !strings.Contains(in, "\x00") {
			checkReadBack(t, rows)
		}
	})
}

// checkReadBack writes rows as a roster export (cut or padded to the roster's
// columns) and reads it back with Read, as a coordinator re-uploading an export would.
func checkReadBack(t *testing.T, rows [][]string) {
	cols := slices.Concat(fuzzRequired, fuzzOptional)
	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(cols); err != nil {
		t.Fatal(err)
	}
	var want []map[string]string
	for _, row := range rows {
		row = append(slices.Clone(row), make([]string, len(cols))...)[:len(cols)]
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		values := map[string]string{}
		for i, c := range cols {
			values[c] = trim(EscapeCell(strings.ToValidUTF8(row[i], "\uFFFD")))
		}
		if !isBlankRecord(slices.Collect(maps.Values(values))) {
			want = append(want, values)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	tab, rowErrs, err := Read(bytes.NewReader(b.Bytes()), fuzzRequired, fuzzOptional, 0)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("Read rejects Writer's export: %v %+v\n%q", err, rowErrs, b.Bytes())
	}
	var got []map[string]string
	for _, r := range tab.Records {
		got = append(got, r.Values)
	}
	if !slices.EqualFunc(got, want, maps.Equal) {
		t.Errorf("Read(Writer export):\n got %q\nwant %q\n csv %q", got, want, b.Bytes())
	}
}
