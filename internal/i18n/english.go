package i18n

import (
	"log/slog"
	"sync"
)

// English is the source language's localizer, loaded once from the embedded
// catalogues: what logs and error strings read (apperr's Error()), where no
// request says which language to use. Nil if the catalogues do not load, which
// Load's own tests catch first.
var English = sync.OnceValue(func() *Localizer {
	c, err := Load()
	if err != nil {
		slog.Error("load the English catalogue", "err", err)
		return nil
	}
	return c.For("en")
})
