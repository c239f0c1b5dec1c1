package csvx

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// Writer writes an export: UTF-8 with a BOM (so Excel opens it as UTF-8), comma
// separated, CRLF line ends, and every cell that starts with =, +, -, @, a tab or a
// carriage return prefixed with a single quote against formula injection (OWASP
// "CSV injection").
type Writer struct {
	cw  *csv.Writer
	row []string
}

// NewWriter writes the BOM at once: without it Excel reads the file in the
// machine's legacy code page and mangles every non-Latin name.
func NewWriter(w io.Writer) (*Writer, error) {
	if _, err := w.Write(bomUTF8); err != nil {
		return nil, fmt.Errorf("write csv bom: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{cw: cw}, nil
}

// Write escapes a copy of record, leaving the caller's slice as it was. Invalid
// UTF-8 becomes U+FFFD so the file is what its BOM says it is.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for _, s := range record {
		w.row = append(w.row, EscapeCell(strings.ToValidUTF8(s, "\uFFFD")))
	}
	if err := w.cw.Write(w.row); err != nil {
		return fmt.Errorf("write csv row: %w", err)
	}
	return nil
}

func (w *Writer) Flush() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("flush csv: %w", err)
	}
	return nil
}

// EscapeCell prefixes a single quote to a cell that a spreadsheet would otherwise
// run as a formula (OWASP "CSV injection"): a name like "=HYPERLINK(…)" typed by
// one user must not execute on a coordinator's machine. The quote shows in the
// cell, which is the price of the rule; it is why negative numbers ("-2") come out
// as text.
func EscapeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
