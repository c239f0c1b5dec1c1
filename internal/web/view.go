package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/templates"
)

// views holds every page, each parsed together with the shared layout.
type views struct {
	pages map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"inc":           func(i int) int { return i + 1 },
	"fieldArgs":     fieldArgs,
	"agencyName":    agencyName,
	"barWidth":      barWidth,
	"quizMessages":  quizMessages,
	"facilityChart": facilityChart,
	"contains":      slices.Contains[[]string],
	"div":           func(a, b int) int { return a / b },
	"sub":           func(a, b int) int { return a - b },
	"float":         func(i int) float64 { return float64(i) }, // an int for .L.Percentage
	// inZone is an instant on a session's clock; the page's localizer then
	// formats it (.L.Time, .L.DateWeekday …).
	"inZone":       func(t time.Time, loc *time.Location) time.Time { return t.In(loc) },
	"userName":     func(m map[int64]string, id int64) string { return m[id] },
	"dict":         dict,
	"auditChanges": auditChanges,
	"auditTime":    auditTime,
	"asset":        assetURL,
	"endonym":      i18n.Endonym,
	"runeCount":    utf8.RuneCountInString,
	// dir is a language's writing direction, set with lang on course text in
	// another language than the page's (an English module on a Hebrew page).
	"dir": i18n.Dir,
	// isolate keeps a piece of data handed to a catalogue message (a name, a
	// title) in its own direction inside the sentence (i18n/bidi.go).
	"isolate": i18n.Isolate,
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
}

func loadViews() (*views, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templates.FS, "layout.html", "partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range names {
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templates.FS, name)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// page is what every template receives: the localizer as .L, the page title, the
// language, and the page's own data as .Data.
type page struct {
	L     *i18n.Localizer
	Lang  string
	Title string
	User  *auth.Actor
	CSRF  string
	Data  any
	// Refresh, when set, reloads the page after that many seconds (the projector).
	Refresh int
	// IdleSeconds, for a signed-in browser (not a kept one), is when idle.js
	// signs it out.
	IdleSeconds int
	// Demo, in demo mode, shows the banner (every page) and the demo logins.
	Demo *Demo
	// Languages are the header selector's choices; Here is this page's path,
	// where the selector comes back to.
	Languages []i18n.Language
	Here      string
}

// render writes a page; it is built fully in memory first, so a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(c echo.Context, status int, name, title string, data any) error {
	t, ok := s.views.pages[name]
	if !ok {
		return fmt.Errorf("no template %s", name)
	}
	l := s.localizer(c)
	var buf bytes.Buffer
	p := page{L: l, Lang: l.Lang, Title: title, User: actor(c), CSRF: s.expectedCSRF(c, true), Data: data, Demo: s.cfg.Demo,
		Languages: s.catalog.Languages()}
	if c.Request().Method == http.MethodGet && status < 400 {
		// A page answering a form post has no address to come back to, and an
		// error page must not echo the address asked for (another agency's id,
		// a token): the selector then lands on the dashboard.
		p.Here = c.Request().URL.RequestURI()
	}
	if r, ok := c.Get("refresh").(int); ok {
		p.Refresh = r
	}
	// A browser its owner chose to keep is not signed out for idling, here
	// or on the server (auth.Credentials.Keep).
	if p.User != nil && !p.User.Kept && s.opts.IdleTimeout > 0 {
		p.IdleSeconds = int(s.opts.IdleTimeout.Seconds())
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// fieldArgs bundles what the "field" partial needs: the page (for translation),
// the field's name, label message id, input type and autocomplete hint, and the
// form's values and errors.
type fieldData struct {
	Page                            page
	Name, Label, Type, Autocomplete string
	Values, Errors                  map[string]string
}

func fieldArgs(p page, name, label, typ, autocomplete string) fieldData {
	fd := fieldData{Page: p, Name: name, Label: label, Type: typ, Autocomplete: autocomplete}
	if fv, ok := p.Data.(interface{ form() formView }); ok {
		fd.Values, fd.Errors = fv.form().Values, fv.form().Errors
	}
	return fd
}

// dict bundles key, value pairs for a partial that needs more than the page.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func agencyName(agencies []auth.Agency, id *int64) string {
	for _, a := range agencies {
		if id != nil && a.ID == *id {
			return a.Name
		}
	}
	return ""
}

// quizMessages are the quiz script's strings, translated, handed over as JSON.
func quizMessages(l *i18n.Localizer) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"saving", "saved", "offline", "signIn", "refused", "notNumber", "allSaved", "pendingN", "offlineN", "offlineCopy", "waitSubmit", "timeUp", "left300", "left60", "late", "tooLate", "timeUpPending", "timeUpLate"} {
		out[k] = l.T("quizjs." + k)
	}
	return out
}
