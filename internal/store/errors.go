package store

import (
	"errors"

	"gorm.io/gorm"
)

// ErrNotFound and ErrDuplicate let the domain tell "no such row" and "unique key
// taken" from other failures without importing GORM.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("duplicate key")
)

// translate maps GORM's sentinel errors onto the store's own.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrDuplicate
	}
	return err
}
