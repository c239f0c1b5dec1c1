package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
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
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Clauses(clause.OnConflict{DoNothing: true}).Create(&v).Error }); err != nil {
		return fmt.Errorf("save course version %s %s: %w", courseID, hash[:12], err)
	}
	return nil
}

// CourseVersionFiles returns the files of a stored version of a course
// (ErrNotFound when that course has no such version).
func (db *DB) CourseVersionFiles(ctx context.Context, courseID, hash string) (map[string][]byte, error) {
	var v CourseVersion
	err := db.R.WithContext(ctx).Where("hash = ? AND course_id = ?", hash, courseID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("load course version %s: %w", hash, err)
	}
	files := map[string][]byte{}
	if err := json.Unmarshal(v.Files, &files); err != nil {
		return nil, fmt.Errorf("decode course version %s: %w", hash, err)
	}
	return files, nil
}

// CourseVersionInfo names one stored version of a course.
type CourseVersionInfo struct {
	Hash      string
	CreatedAt time.Time
}

// CourseVersions lists the stored versions of a course, newest first.
func (db *DB) CourseVersions(ctx context.Context, courseID string) ([]CourseVersionInfo, error) {
	var rows []CourseVersion
	if err := db.R.WithContext(ctx).Select("hash", "created_at").Where("course_id = ?", courseID).
		Order("created_at DESC, hash").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list versions of course %s: %w", courseID, err)
	}
	out := make([]CourseVersionInfo, len(rows))
	for i, r := range rows {
		out[i] = CourseVersionInfo{Hash: r.Hash, CreatedAt: time.Unix(r.CreatedAt, 0).UTC()}
	}
	return out, nil
}
