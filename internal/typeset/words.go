package typeset

import (
	"strings"
)

// Join joins the parts that are not blank with sep, so a missing venue or city
// leaves no dangling separator.
func Join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// PrintedName is what a certificate or slip prints for a person: the name, and
// the Latin-letter name beside it (aside) when one is given and differs. A name
// the embedded fonts cannot draw whole (entered before names were checked, say)
// prints as its Latin name alone, never with gaps; without a Latin name it is
// printed as it is, since leaving it out would be worse.
func PrintedName(name, latin string) (main, aside string) {
	if u, err := Uncovered(name); (err != nil || len(u) > 0) && latin != "" {
		return latin, ""
	}
	if latin == name {
		latin = ""
	}
	return name, latin
}
