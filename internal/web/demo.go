package web

import (
	"html/template"
	"strings"
)

// Demo is demo mode (`lectern serve --demo`): every page carries a banner saying
// the data is not real, and the sign-in page lists the demo accounts with their
// passwords, each with a button that signs in as it.
type Demo struct {
	Logins []DemoLogin
}

// DemoLogin is one demo account. An empty Password is one the demo does not know
// (an admin created before it): shown without a password or a button.
type DemoLogin struct {
	Role     string
	Name     string
	Agency   string
	Email    string
	Password string
}

// EmailHTML is the address in two unbreakable halves with a line-break
// opportunity before the "@", so a narrow column breaks it there or nowhere.
func (l DemoLogin) EmailHTML() template.HTML {
	at := strings.LastIndex(l.Email, "@")
	if at < 0 {
		return template.HTML(template.HTMLEscapeString(l.Email))
	}
	return template.HTML("<span>" + template.HTMLEscapeString(l.Email[:at]) + "</span><wbr><span>" + template.HTMLEscapeString(l.Email[at:]) + "</span>")
}
