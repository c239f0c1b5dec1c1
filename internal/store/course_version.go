package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// CourseVersion keeps every version of a course ever served, by content hash, so
// the text behind any attempt or certificate can be shown later.
type CourseVersion struct {
	Hash      string `gorm:"primaryKey;size:64"`
	CourseID  string `gorm:"size:100;index;not null"`
	Files     []byte `gorm:"not null"` // JSON object: relative path → file content
	CreatedAt int64  `gorm:"not null"`
}

// SaveCourseVersion stores a course's files under its hash; a version already
// stored is left as it is.
func (db *DB) SaveCourseVersion(ctx context.Context, courseID, hash string, files map[string][]byte) error {
	data, err := json.Marshal(files)
	if err != nil {
		return fmt.Errorf("encode course %s: %w", courseID, err)
	}
	v := CourseVersion{Hash: hash, CourseID: courseID, Files: data, CreatedAt: time.Now().Unix()}
	if err := db.W.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&v).Error; err != nil {
		return fmt.Errorf("save course version %s %s: %w", courseID, hash[:12], err)
	}
	return nil
}

// CourseVersionFiles returns the files of a stored course version.
func (db *DB) CourseVersionFiles(ctx context.Context, hash string) (map[string][]byte, error) {
	var v CourseVersion
	if err := db.R.WithContext(ctx).Where("hash = ?", hash).Take(&v).Error; err != nil {
		return nil, fmt.Errorf("load course version %s: %w", hash, err)
	}
	files := map[string][]byte{}
	if err := json.Unmarshal(v.Files, &files); err != nil {
		return nil, fmt.Errorf("decode course version %s: %w", hash, err)
	}
	return files, nil
}
