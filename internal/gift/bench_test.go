package gift

import (
	"bytes"
	"io"
	"os"
	"testing"
	"unicode/utf8"
)

// benchInput is the construct corpus repeated to about 1 MB: a large but real
// question bank.
func benchInput(b *testing.B) []byte {
	one, err := os.ReadFile("testdata/constructs.gift")
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(append(one, "\n\n"...), (1<<20)/len(one)+1)
}

// BenchmarkParse_Floor is the least any GIFT reader does: cut the file into
// lines and check each is UTF-8. BenchmarkParse is measured against it.
func BenchmarkParse_Floor(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		for line := range bytes.Lines(data) {
			if utf8.Valid(line) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("no lines")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, problems := Parse("bench.gift", bytes.NewReader(data)); len(problems) > 0 {
			b.Fatal(problems[0])
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	data := benchInput(b)
	qs, _ := Parse("bench.gift", bytes.NewReader(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := Write(io.Discard, qs); err != nil {
			b.Fatal(err)
		}
	}
}
