package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/static"
)

// assetVersion names the embedded static files' content. Pages link to
// /static/...?v=assetVersion, which browsers may keep for good: after an
// upgrade the links change, so no phone in the room runs yesterday's quiz.js
// against today's server.
var assetVersion = versionOf(static.FS)

func versionOf(fsys fs.FS) string {
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue // listed a moment ago in an embedded FS: cannot happen
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// assetURL is the versioned address of a static file, for templates.
func assetURL(name string) string {
	return "/static/" + path.Clean(name) + "?v=" + assetVersion
}

// staticFiles serves the embedded assets: for good when asked for by the
// current version, otherwise to be checked again each time (the ETag makes
// that cheap).
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServer(http.FS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No directory listings, and no redirect to a directory's slash
		// either: the router takes the slash away again, a loop.
		if info, err := fs.Stat(fsys, path.Clean(r.URL.Path)); r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") || err == nil && info.IsDir() {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == assetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		// Weak: the same version goes out gzipped or plain (compress.go), and
		// a strong tag would promise the same bytes.
		w.Header().Set("ETag", `W/"`+assetVersion+`"`)
		files.ServeHTTP(w, r)
	})
}

// quizServiceWorker serves the quiz page's service worker (static/js/quiz-sw.js)
// from /attempts/, so that its scope covers the attempt pages and nothing else.
// It is checked on every visit (no-cache), so a new version reaches the phones
// with the next page load; the script itself keeps only the current attempt
// page and the versioned files it uses.
func quizServiceWorker(c echo.Context) error {
	data, err := fs.ReadFile(static.FS, "js/quiz-sw.js")
	if err != nil {
		return fmt.Errorf("read the quiz service worker: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", data)
}
