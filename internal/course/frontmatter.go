package course

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// splitFrontMatter separates a "---" delimited YAML block from the Markdown body.
// bodyLine is the 1-based line of the source where the body starts.
func splitFrontMatter(src []byte) (yamlSrc, body []byte, bodyLine int, found, closed bool) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) == 0 || strings.TrimRight(string(lines[0]), " \t\r\n") != "---" {
		return nil, src, 1, false, false
	}
	offset := len(lines[0])
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimRight(string(lines[i]), " \t\r\n"); t == "---" || t == "..." {
			yamlSrc = src[len(lines[0]):offset]
			return yamlSrc, src[offset+len(lines[i]):], i + 2, true, true
		}
		offset += len(lines[i])
	}
	return nil, src, 1, true, false
}

// fieldKind is how a front-matter value is checked and decoded.
type fieldKind int

const (
	kindString fieldKind = iota
	kindStringList
	kindDuration
	kindInt
	kindPercent
	kindBool
	kindMap
)

type field struct {
	name     string
	kind     fieldKind
	required bool
	children []field // for kindMap
}

// frontMatter is a decoded front-matter mapping with the line of every key, so
// problems point at the right line of the file.
type frontMatter struct {
	path   string
	values map[string]*yaml.Node
	lines  map[string]int
	line   int // line of the opening "---"
	last   int // line of the closing "---"
	probs  *Problems
}

// fileLine is the file's line of a line of the YAML between the "---" lines.
// YAML also breaks lines at a lone carriage return, which the file's line
// count does not: such a line is clamped to the front matter's last line.
func (fm *frontMatter) fileLine(yamlLine int) int {
	return min(max(yamlLine+1, 2), fm.last)
}

// parseFrontMatter checks the YAML against the schema: syntax, unknown keys (with a
// suggestion), missing required keys, and the kind of every value.
func parseFrontMatter(path string, src []byte, schema []field, probs *Problems) (fm *frontMatter, body []byte, bodyLine int) {
	yamlSrc, body, bodyLine, found, closed := splitFrontMatter(src)
	fm = &frontMatter{path: path, values: map[string]*yaml.Node{}, lines: map[string]int{}, line: 1, last: max(bodyLine-1, 1), probs: probs}
	if !found {
		probs.add(path, 1, "missing front matter: the file must start with a \"---\" line, then YAML keys, then \"---\"")
		return fm, body, bodyLine
	}
	if !closed {
		probs.add(path, 1, "front matter is not closed: add a \"---\" line after the YAML keys")
		return fm, nil, bodyLine
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlSrc, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		probs.add(path, fm.fileLine(line), "front matter is not valid YAML: %s", msg)
		return fm, body, bodyLine
	}
	if len(doc.Content) == 0 {
		fm.checkKeys(nil, schema, "", 1)
		return fm, body, bodyLine
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		probs.add(path, fm.fileLine(root.Line), "front matter must be a list of \"key: value\" lines")
		return fm, body, bodyLine
	}
	fm.checkKeys(root, schema, "", 1)
	return fm, body, bodyLine
}

func (fm *frontMatter) checkKeys(m *yaml.Node, schema []field, prefix string, parentLine int) {
	known := map[string]field{}
	var names []string
	for _, f := range schema {
		known[f.name] = f
		names = append(names, f.name)
	}
	seen := map[string]bool{}
	if m != nil {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			name := prefix + k.Value
			line := fm.fileLine(k.Line)
			f, ok := known[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown front-matter key %q", name)
				if s := suggest(k.Value, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", prefix+s)
				}
				fm.probs.add(fm.path, line, "%s", msg)
				continue
			}
			if seen[k.Value] {
				fm.probs.add(fm.path, line, "front-matter key %q is set twice", name)
				continue
			}
			seen[k.Value] = true
			fm.values[name] = v
			fm.lines[name] = fm.fileLine(v.Line)
			if f.kind == kindMap {
				if v.Kind != yaml.MappingNode {
					fm.probs.add(fm.path, line, "%s: expected nested \"key: value\" lines", name)
					continue
				}
				fm.checkKeys(v, f.children, name+".", line)
			}
		}
	}
	for _, f := range schema {
		if f.required && !seen[f.name] {
			fm.probs.add(fm.path, parentLine, "missing front-matter key %q", prefix+f.name)
		}
	}
}

// suggest returns the known name closest to a misspelt key, if it is close enough.
func suggest(key string, names []string) string {
	best, bestDist := "", 3
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for _, n := range sorted {
		d := levenshtein.ComputeDistance(strings.ToLower(key), n)
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		if i := strings.Index(msg, ":"); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
		// yaml.v3 numbers parser errors that carry a context ("did not find
		// expected …") from 0 and every other error from 1.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		return line, msg
	}
	return 1, msg
}

func (fm *frontMatter) has(key string) bool { _, ok := fm.values[key]; return ok }

func (fm *frontMatter) String(key string) string {
	v, ok := fm.values[key]
	if !ok {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		fm.probs.add(fm.path, fm.lines[key], "%s: expected text", key)
		return ""
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		fm.probs.add(fm.path, fm.lines[key], "%s: must not be empty", key)
	}
	return s
}

func (fm *frontMatter) StringList(key string) []string {
	v, ok := fm.values[key]
	if !ok {
		return nil
	}
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return []string{v.Value} // a single item written without brackets
	}
	var out []string
	if err := v.Decode(&out); err != nil || v.Kind != yaml.SequenceNode {
		fm.probs.add(fm.path, fm.lines[key], "%s: expected a list such as [a, b] or \"- item\" lines", key)
		return nil
	}
	return out
}

func (fm *frontMatter) Duration(key string) time.Duration {
	v, ok := fm.values[key]
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(v.Value))
	if err != nil || d <= 0 || v.Kind != yaml.ScalarNode {
		fm.probs.add(fm.path, fm.lines[key], "%s: bad duration %q (use Go syntax such as 90m, 20m or 1h30m)", key, v.Value)
		return 0
	}
	return d
}

func (fm *frontMatter) Int(key string, min, max int) (int, bool) {
	v, ok := fm.values[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.Value))
	if err != nil || v.Kind != yaml.ScalarNode {
		fm.probs.add(fm.path, fm.lines[key], "%s: expected a whole number, got %q", key, v.Value)
		return 0, false
	}
	if n < min || n > max {
		fm.probs.add(fm.path, fm.lines[key], "%s: %d is out of range (%d to %d)", key, n, min, max)
		return 0, false
	}
	return n, true
}

func (fm *frontMatter) PassMark(key string) (int, bool) {
	v, ok := fm.values[key]
	if !ok {
		return 0, false
	}
	s := strings.TrimSuffix(strings.TrimSpace(v.Value), "%")
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 || v.Kind != yaml.ScalarNode {
		fm.probs.add(fm.path, fm.lines[key], "%s: bad pass mark %q (a percentage from 0 to 100)", key, v.Value)
		return 0, false
	}
	return n, true
}

func (fm *frontMatter) Bool(key string, def bool) bool {
	v, ok := fm.values[key]
	if !ok {
		return def
	}
	var b bool
	if err := v.Decode(&b); err != nil {
		fm.probs.add(fm.path, fm.lines[key], "%s: expected true or false, got %q", key, v.Value)
		return def
	}
	return b
}

// Enum returns the value of key if it is one of allowed, else def (and a problem).
func (fm *frontMatter) Enum(key, def string, allowed ...string) string {
	if !fm.has(key) {
		return def
	}
	s := fm.String(key)
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	fm.probs.add(fm.path, fm.lines[key], "%s: %q is not one of %s", key, s, strings.Join(allowed, ", "))
	return def
}
