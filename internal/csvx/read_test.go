package csvx

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
)

var (
	rosterRequired = []string{"name", "email"}
	rosterOptional = []string{"given_name", "family_name", "latin_name"}
)

// rec builds a Record from alternating column names and values.
func rec(line int, kv ...string) Record {
	r := Record{Line: line, Values: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		r.Values[kv[i]] = kv[i+1]
	}
	return r
}

func TestRead_Accepts(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		required []string // rosterRequired when nil
		columns  []string
		records  []Record
	}{
		{
			name:    "comma, LF, no BOM",
			in:      "name,email\nAnn Lee,ann@example.org\nBo Chen,bo@example.org\n",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann Lee", "email", "ann@example.org"), rec(3, "name", "Bo Chen", "email", "bo@example.org")},
		},
		{
			name:    "comma, CRLF, BOM, no final newline",
			in:      "\uFEFFname,email\r\nAnn Lee,ann@example.org\r\nBo Chen,bo@example.org",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann Lee", "email", "ann@example.org"), rec(3, "name", "Bo Chen", "email", "bo@example.org")},
		},
		{
			name:    "semicolon as Excel writes in France and Germany, commas in values",
			in:      "\uFEFFName;Email;latin_name\r\nJérôme Dupont;jerome@police.fr;Dupont, Jerome\r\n",
			columns: []string{"name", "email", "latin_name"},
			records: []Record{rec(2, "name", "Jérôme Dupont", "email", "jerome@police.fr", "latin_name", "Dupont, Jerome")},
		},
		{
			name: "quoted delimiters, doubled quotes, embedded newlines keep later line numbers",
			in: "name,email,family_name\n" +
				"\"Lee, Ann\",ann@example.org,\"Lee \"\"the first\"\"\"\n" +
				"\"Bo\nChen\",bo@example.org,\"two\r\nmore\nlines\"\n" +
				"Cy,cy@example.org,Smith\n",
			columns: []string{"name", "email", "family_name"},
			records: []Record{
				rec(2, "name", "Lee, Ann", "email", "ann@example.org", "family_name", `Lee "the first"`),
				rec(3, "name", "Bo\nChen", "email", "bo@example.org", "family_name", "two\nmore\nlines"),
				rec(7, "name", "Cy", "email", "cy@example.org", "family_name", "Smith"),
			},
		},
		{
			name:    "semicolon file with quoted semicolons",
			in:      "name;email\n\"Ann; Jr\";ann@example.org\n",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann; Jr", "email", "ann@example.org")},
		},
		{
			name:    "blank lines and rows of empty cells skipped but counted",
			in:      "\nname,email\n\nAnn,ann@example.org\n   \n,\n\r\n\"\",\"\"\nBo,bo@example.org\n\n",
			columns: []string{"name", "email"},
			records: []Record{rec(4, "name", "Ann", "email", "ann@example.org"), rec(9, "name", "Bo", "email", "bo@example.org")},
		},
		{
			name:    "header only",
			in:      "name,email,given_name\r\n",
			columns: []string{"name", "email", "given_name"},
		},
		{
			name:    "header names and values trimmed, names lower-cased",
			in:      " Name , EMAIL\u00a0,Given_Name\n  Ann Lee \t,\u00a0ann@example.org ,\n",
			columns: []string{"name", "email", "given_name"},
			records: []Record{rec(2, "name", "Ann Lee", "email", "ann@example.org", "given_name", "")},
		},
		{
			name:     "single column",
			in:       "email\nann@example.org\n",
			required: []string{"email"},
			columns:  []string{"email"},
			records:  []Record{rec(2, "email", "ann@example.org")},
		},
		{
			name:    "Excel sep= line",
			in:      "sep=;\r\nname;email\r\nAnn, Jr;ann@example.org\r\n",
			columns: []string{"name", "email"},
			records: []Record{rec(3, "name", "Ann, Jr", "email", "ann@example.org")},
		},
		{
			name:    "CR line ends of old Mac Excel",
			in:      "name;email\rAnn;ann@example.org\rBo;bo@example.org\r",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann", "email", "ann@example.org"), rec(3, "name", "Bo", "email", "bo@example.org")},
		},
		{
			name:    "empty trailing columns from Excel's used range",
			in:      "name;email;;\r\nAnn;ann@example.org;;\r\nBo;bo@example.org\r\n;;;\r\n",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann", "email", "ann@example.org"), rec(3, "name", "Bo", "email", "bo@example.org")},
		},
		{
			name:    "a second BOM stuck to the first column name",
			in:      "\uFEFF\uFEFFname,email\nAnn,ann@example.org\n",
			columns: []string{"name", "email"},
			records: []Record{rec(2, "name", "Ann", "email", "ann@example.org")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			required := tt.required
			if required == nil {
				required = rosterRequired
			}
			table, rowErrs, err := Read(strings.NewReader(tt.in), required, rosterOptional, 100)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(rowErrs) > 0 {
				t.Fatalf("row errors: %+v", rowErrs)
			}
			if !reflect.DeepEqual(table.Columns, tt.columns) {
				t.Errorf("Columns = %q, want %q", table.Columns, tt.columns)
			}
			if len(table.Records) != len(tt.records) {
				t.Fatalf("got %d records %+v, want %d", len(table.Records), table.Records, len(tt.records))
			}
			for i, want := range tt.records {
				if got := table.Records[i]; !reflect.DeepEqual(got, want) {
					t.Errorf("record %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

func TestRead_UnicodeNames(t *testing.T) {
	names := []string{
		"김민준",     // Hangul
		"דוד כהן", // Hebrew
		"Γιώργος Παπαδόπουλος", // Greek
		"Дмитрий Иванов",       // Cyrillic
		"José Ñúñez",           // Spanish
		"Zoë Ørsted-Ångström",  // Nordic
		"François Lefèvre",     // French
		"Jürgen Groß",          // German
		"João Gonçalves",       // Portuguese
	}
	for _, delim := range []string{",", ";"} {
		t.Run("read "+delim, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("\uFEFFname" + delim + "email\r\n")
			for i, n := range names {
				fmt.Fprintf(&b, "%s%sp%d@example.org\r\n", n, delim, i)
			}
			table, rowErrs, err := Read(strings.NewReader(b.String()), rosterRequired, nil, 0)
			if err != nil || len(rowErrs) > 0 {
				t.Fatalf("Read: %v %+v", err, rowErrs)
			}
			for i, n := range names {
				if got := table.Records[i].Values["name"]; got != n {
					t.Errorf("name %d = %q, want %q", i, got, n)
				}
			}
		})
	}
	t.Run("Writer then Read", func(t *testing.T) {
		var b strings.Builder
		w, err := NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		must(t, w.Write([]string{"name", "email"}))
		for i, n := range names {
			must(t, w.Write([]string{n, fmt.Sprintf("p%d@example.org", i)}))
		}
		must(t, w.Flush())
		table, rowErrs, err := Read(strings.NewReader(b.String()), rosterRequired, nil, 0)
		if err != nil || len(rowErrs) > 0 {
			t.Fatalf("Read: %v %+v", err, rowErrs)
		}
		for i, n := range names {
			if got := table.Records[i].Values["name"]; got != n {
				t.Errorf("name %d = %q, want %q", i, got, n)
			}
		}
	})
}

func TestRead_RejectsFile(t *testing.T) {
	utf16le := func(s string) string {
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name    string
		in      string
		maxRows int
		line    int
		want    []string // substrings of the message
	}{
		{name: "empty file", in: "", want: []string{"empty"}},
		{name: "BOM only", in: "\uFEFF", want: []string{"empty"}},
		{name: "blank lines only", in: "\r\n \r\n;;\r\n", want: []string{"empty"}},
		{
			name: "Windows-1252 bytes",
			in:   "name,email\nAnn,ann@example.org\nJos\xe9 P\xe9rez,jose@example.org\n",
			line: 3,
			want: []string{"not UTF-8", "0xE9", "José Pérez", "Windows-1252", `"CSV UTF-8"`},
		},
		{
			name: "Windows-1252 bytes inside a multi-line quoted field name their own line",
			in:   "name,email\n\"Ann\nM\xfcller\",ann@example.org\n",
			line: 3,
			want: []string{"Müller", "Windows-1252"},
		},
		{
			name: "UTF-16LE with BOM",
			in:   utf16le("name,email\r\nAnn,ann@example.org\r\n"),
			line: 1,
			want: []string{"UTF-16", `"CSV UTF-8"`},
		},
		{
			name: "UTF-16BE with BOM",
			in:   "\xfe\xff\x00n\x00a\x00m\x00e",
			line: 1,
			want: []string{"UTF-16"},
		},
		{
			name: "UTF-16LE without BOM",
			in:   "n\x00a\x00m\x00e\x00,\x00e\x00m\x00a\x00i\x00l\x00",
			line: 1,
			want: []string{"NUL", "UTF-16"},
		},
		{
			name: "missing required column",
			in:   "name,given_name\nAnn,Ann\n",
			line: 1,
			want: []string{`missing required column "email"`},
		},
		{
			name: "unknown column",
			in:   "name,email,phone\nAnn,ann@example.org,123\n",
			line: 1,
			want: []string{`unknown column "phone"`, "allowed: name, email, given_name, family_name, latin_name"},
		},
		{
			name: "misspelt column is unknown and missing in one message",
			in:   "\n\nname,emial\n",
			line: 3,
			want: []string{`unknown column "emial"`, `missing required column "email"`},
		},
		{
			name: "duplicate column, ignoring case",
			in:   "name,Email,email\n",
			line: 1,
			want: []string{`"email" twice`, "columns 2 and 3"},
		},
		{
			name: "empty column name",
			in:   "name,,email\n",
			line: 1,
			want: []string{"column 2 of the header has no name"},
		},
		{
			name: "malformed header",
			in:   "name,e\"mail\n",
			line: 1,
			want: []string{"header", "double quote"},
		},
		{
			name:    "more than maxRows data rows",
			in:      "name,email\nA,a@x\n\nB,b@x\nC,c@x\n",
			maxRows: 2,
			line:    5,
			want:    []string{"more than 2 data rows"},
		},
		{
			name: "unsupported sep= line",
			in:   "sep=|\nname|email\n",
			line: 1,
			want: []string{"'|'", "comma and semicolon"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxRows := tt.maxRows
			if maxRows == 0 {
				maxRows = 100
			}
			table, rowErrs, err := Read(strings.NewReader(tt.in), rosterRequired, rosterOptional, maxRows)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (table %+v, row errors %+v), want *FileError", err, table, rowErrs)
			}
			if table != nil || rowErrs != nil {
				t.Errorf("got table %+v and row errors %+v with a file error", table, rowErrs)
			}
			if fe.Line != tt.line {
				t.Errorf("Line = %d, want %d (%v)", fe.Line, tt.line, fe)
			}
			for _, w := range tt.want {
				if !strings.Contains(fe.Msg.String(), w) {
					t.Errorf("message %q does not contain %q", fe.Msg, w)
				}
			}
		})
	}
}

func TestRead_RowErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		errRows []int
		want    []string // a substring of each row error's message
		lines   []int    // lines of the records still read
	}{
		{
			name:    "too few fields",
			in:      "name,email\nAnn,ann@x\nBo\nCy,cy@x\n",
			errRows: []int{3},
			want:    []string{"1 field, but the header has 2 (name, email)"},
			lines:   []int{2, 4},
		},
		{
			name:    "too many fields names the delimiter",
			in:      "name;email\nLee; Ann;ann@x\n",
			errRows: []int{2},
			want:    []string{`3 fields, but the header has 2 (name, email); a value that contains ';' must be enclosed in double quotes`},
		},
		{
			name:    "after a multi-line quoted field and blank lines",
			in:      "name,email\n\"Ann\n\nLee\",ann@x\n\nBo,bo@x,extra\n\"Cy\nD\"\n",
			errRows: []int{6, 7},
			want:    []string{"3 fields", "1 field"},
			lines:   []int{2},
		},
		{
			name:    "bare quote, later rows still read",
			in:      "name,email\nDwayne \"The Rock\" J,d@x\nBo,bo@x\n",
			errRows: []int{2},
			want:    []string{"double quote inside a field"},
			lines:   []int{3},
		},
		{
			name:    "text after a closing quote",
			in:      "name,email\n\"Ann\"Lee,ann@x\nBo,bo@x\n",
			errRows: []int{2},
			want:    []string{"missing or misplaced double quote"},
			lines:   []int{3},
		},
		{
			name:    "unclosed quote swallows the rest, reported where it starts",
			in:      "name,email\nAnn,ann@x\n\"Bo,bo@x\nCy,cy@x\n",
			errRows: []int{3},
			want:    []string{"runs on to line 4: is its closing double quote missing?"},
			lines:   []int{2},
		},
		{
			name:    "value in an unnamed trailing column",
			in:      "name,email,\nAnn,ann@x,oops\n",
			errRows: []int{2},
			want:    []string{"3 fields, but the header has 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, rowErrs, err := Read(strings.NewReader(tt.in), rosterRequired, nil, 100)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var rows []int
			for _, re := range rowErrs {
				rows = append(rows, re.Row)
			}
			if !reflect.DeepEqual(rows, tt.errRows) {
				t.Fatalf("row errors on lines %v, want %v: %+v", rows, tt.errRows, rowErrs)
			}
			for i, w := range tt.want {
				if !strings.Contains(rowErrs[i].Msg.String(), w) {
					t.Errorf("row error %d = %q, want it to contain %q", i, rowErrs[i].Msg, w)
				}
			}
			var lines []int
			for _, r := range table.Records {
				lines = append(lines, r.Line)
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("records on lines %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestRead_MaxRows(t *testing.T) {
	in := "name,email\nA,a@x\n\n\nB,b@x\nC\n"
	tests := []struct {
		name    string
		maxRows int
		wantErr bool
	}{
		{"bad rows count, blank lines do not", 3, false},
		{"one over", 2, true},
		{"zero means no limit", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Read(strings.NewReader(in), rosterRequired, nil, tt.maxRows)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestRead_ReaderError(t *testing.T) {
	boom := errors.New("body too large")
	_, _, err := Read(errReader{boom}, rosterRequired, nil, 10)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
	var fe *FileError
	if errors.As(err, &fe) {
		t.Errorf("a reader failure is not the file's fault, got %v", fe)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestRead_5000Rows(t *testing.T) {
	in := rosterCSV(5000)
	start := time.Now()
	table, rowErrs, err := Read(strings.NewReader(in), rosterRequired, rosterOptional, 5000)
	elapsed := time.Since(start)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("Read: %v %+v", err, rowErrs)
	}
	if len(table.Records) != 5000 || table.Records[4999].Line != 5001 {
		t.Fatalf("got %d records, last on line %d", len(table.Records), table.Records[len(table.Records)-1].Line)
	}
	// Generous: it takes a few milliseconds; this only catches an accidental
	// quadratic, even under -race on a slow CI machine.
	if elapsed > 2*time.Second {
		t.Errorf("5,000 rows took %v", elapsed)
	}
}

func BenchmarkRead_5000Rows(b *testing.B) {
	in := rosterCSV(5000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read(strings.NewReader(in), rosterRequired, rosterOptional, 5000); err != nil {
			b.Fatal(err)
		}
	}
}

// rosterCSV is a semicolon roster of n officers with names in several scripts,
// some quoted, as an agency's Excel would export it.
func rosterCSV(n int) string {
	names := []string{"김민준", "דוד כהן", "Γιώργος Παπαδόπουλος", "Дмитрий Иванов", "\"Lefèvre; François\"", "Ann Lee"}
	var b strings.Builder
	b.WriteString("\uFEFFname;email;given_name;family_name;latin_name\r\n")
	for i := range n {
		fmt.Fprintf(&b, "%s;officer%d@agency.example;Given;Family;Latin Name %d\r\n", names[i%len(names)], i, i)
	}
	return b.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
