package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CurrentCourse is the version of a course that every process serves: the one
// a process last read from its courses folder (course.Library.Reload). With
// several processes each reading a folder of its own (an image each, a deploy
// under way), the database is where they agree.
type CurrentCourse struct {
	CourseID  string    `gorm:"primaryKey;size:100"`
	Hash      string    `gorm:"size:64;not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Migration "20261209-state2-current-courses".
func migrateCurrentCourses(tx *gorm.DB) error {
	type CurrentCourse struct {
		CourseID  string    `gorm:"primaryKey;size:100"`
		Hash      string    `gorm:"size:64;not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	return tx.AutoMigrate(&CurrentCourse{})
}

func rollbackCurrentCourses(tx *gorm.DB) error { return tx.Migrator().DropTable("current_courses") }

// SetCurrentCourse makes hash (a version stored by SaveCourseVersion) the one
// every process serves of courseID. When that changes anything it tells the
// other processes on ChannelCourse, payload the course id, as the transaction
// commits; changed says whether it did.
func (db *DB) SetCurrentCourse(ctx context.Context, courseID, hash string) (changed bool, err error) {
	err = db.Tx(ctx, func(q Q) error {
		row := CurrentCourse{CourseID: courseID, Hash: hash, UpdatedAt: time.Now().UTC()}
		res := q.g.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "course_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"hash", "updated_at"}),
			// The same version again (every process of a shared folder reloads
			// the same edit) changes nothing and tells nobody.
			Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "current_courses.hash <> excluded.hash"}}},
		}).Create(&row)
		if res.Error != nil {
			return fmt.Errorf("set current version of course %s: %w", courseID, res.Error)
		}
		if changed = res.RowsAffected > 0; !changed {
			return nil
		}
		return q.Notify(ChannelCourse, courseID)
	})
	return changed, err
}

// CurrentCourses returns the version every process serves, by course id.
func (db *DB) CurrentCourses(ctx context.Context) (map[string]string, error) {
	var rows []CurrentCourse
	if err := db.R.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read current course versions: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.CourseID] = r.Hash
	}
	return out, nil
}
