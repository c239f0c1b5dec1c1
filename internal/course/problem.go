package course

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one lint finding, printed as "path:line: message".
type Problem struct {
	Path    string
	Line    int
	Message string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}

// Problems collects findings while a course is parsed.
type Problems []Problem

func (ps *Problems) add(path string, line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	*ps = append(*ps, Problem{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// Sort orders problems by path, then line, so output is stable.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Path != ps[j].Path {
			return ps[i].Path < ps[j].Path
		}
		return ps[i].Line < ps[j].Line
	})
}

func (ps Problems) String() string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Error lets a non-empty list of problems be returned as an error.
func (ps Problems) Error() string {
	if len(ps) == 0 {
		return ""
	}
	if len(ps) == 1 {
		return ps[0].String()
	}
	return fmt.Sprintf("%s (and %d more problems)", ps[0], len(ps)-1)
}
