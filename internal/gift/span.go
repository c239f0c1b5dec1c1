package gift

import (
	"slices"
	"sort"
	"strings"
)

// block is the text of one question as Moodle's importer sees it: its
// non-comment lines, trimmed, joined with "\n", escapes decoded. A byte that came
// from an escape is literal: it never ends a title, opens a set or starts an answer.
type block struct {
	b      []byte
	lit    []bool
	starts []int // offset in b where each joined line begins
	lines  []int // that line's number in the file
}

// escapes maps the character after a backslash to what it stands for.
var escapes = map[byte]byte{'\\': '\\', ':': ':', '#': '#', '=': '=', '{': '{', '}': '}', '~': '~', 'n': '\n'}

// add appends one trimmed source line, decoding its escapes. An escape never spans
// lines: a backslash at the end of a line is a backslash.
func (bl *block) add(line []byte, number int) {
	if len(bl.b) > 0 {
		bl.b = append(bl.b, '\n')
		bl.lit = append(bl.lit, false)
	}
	bl.starts = append(bl.starts, len(bl.b))
	bl.lines = append(bl.lines, number)
	bl.b = slices.Grow(bl.b, len(line))
	bl.lit = slices.Grow(bl.lit, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' && i+1 < len(line) {
			if d, ok := escapes[line[i+1]]; ok {
				bl.b = append(bl.b, d)
				bl.lit = append(bl.lit, true)
				i++
				continue
			}
		}
		bl.b = append(bl.b, c)
		bl.lit = append(bl.lit, false)
	}
}

// lineAt is the file line of offset off.
// reset empties the block for the next question, keeping its memory: the
// questions keep none of it (their strings are copies).
func (bl *block) reset() {
	bl.b, bl.lit, bl.starts, bl.lines = bl.b[:0], bl.lit[:0], bl.starts[:0], bl.lines[:0]
}

func (bl *block) lineAt(off int) int {
	k := sort.Search(len(bl.starts), func(k int) bool { return bl.starts[k] > off }) - 1
	if k < 0 {
		k = 0
	}
	return bl.lines[k]
}

func (bl *block) all() span { return span{bl, 0, len(bl.b)} }

// span is the part [i, j) of a block.
type span struct {
	bl   *block
	i, j int
}

func (s span) len() int          { return s.j - s.i }
func (s span) empty() bool       { return s.i >= s.j }
func (s span) sub(a, b int) span { return span{s.bl, s.i + a, s.i + b} }
func (s span) from(a int) span   { return span{s.bl, s.i + a, s.j} }
func (s span) to(b int) span     { return span{s.bl, s.i, s.i + b} }
func (s span) str() string       { return string(s.bl.b[s.i:s.j]) }

// is reports whether the byte at k is the structural (unescaped) c.
func (s span) is(k int, c byte) bool {
	return k >= 0 && k < s.len() && s.bl.b[s.i+k] == c && !s.bl.lit[s.i+k]
}

// line is the file line of the span's first non-space byte (or of its start).
func (s span) line() int {
	t := s.trim()
	if t.empty() {
		return s.bl.lineAt(min(s.i, max(len(s.bl.b)-1, 0)))
	}
	return s.bl.lineAt(t.i)
}

// lineAt is the file line of the span's byte k.
func (s span) lineAt(k int) int { return s.bl.lineAt(s.i + k) }

// isSpace is PHP's trim set, which Moodle trims every text with.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0 || c == '\v'
}

// trim removes surrounding spaces, escaped ones included (Moodle trims after
// decoding).
func (s span) trim() span {
	for s.i < s.j && isSpace(s.bl.b[s.i]) {
		s.i++
	}
	for s.j > s.i && isSpace(s.bl.b[s.j-1]) {
		s.j--
	}
	return s
}

// index is the offset of the first structural c, or -1.
func (s span) index(c byte) int {
	for k := s.i; k < s.j; k++ {
		if s.bl.b[k] == c && !s.bl.lit[k] {
			return k - s.i
		}
	}
	return -1
}

// indexStr is the offset of the first structural run equal to sep, or -1.
func (s span) indexStr(sep string) int {
	for k := 0; k+len(sep) <= s.len(); k++ {
		if s.hasAt(k, sep) {
			return k
		}
	}
	return -1
}

// lastIndexStr is the offset of the last structural run equal to sep, or -1.
func (s span) lastIndexStr(sep string) int {
	for k := s.len() - len(sep); k >= 0; k-- {
		if s.hasAt(k, sep) {
			return k
		}
	}
	return -1
}

// hasAt reports whether sep is at offset k, every byte of it structural.
func (s span) hasAt(k int, sep string) bool {
	if k < 0 || k+len(sep) > s.len() || string(s.bl.b[s.i+k:s.i+k+len(sep)]) != sep {
		return false
	}
	for n := range len(sep) {
		if s.bl.lit[s.i+k+n] {
			return false
		}
	}
	return true
}

// hasLiteral reports whether any byte of the span came from an escape.
func (s span) hasLiteral() bool {
	for k := s.i; k < s.j; k++ {
		if s.bl.lit[k] {
			return true
		}
	}
	return false
}

// splitBefore cuts the span before every structural byte in marks: the first
// part is what precedes the first mark (maybe empty), each other part starts with
// its mark.
func (s span) splitBefore(marks string) []span {
	var parts []span
	start := 0
	for k := 0; k < s.len(); k++ {
		c := s.bl.b[s.i+k]
		if !s.bl.lit[s.i+k] && strings.IndexByte(marks, c) >= 0 {
			parts = append(parts, s.sub(start, k))
			start = k
		}
	}
	return append(parts, s.from(start))
}
