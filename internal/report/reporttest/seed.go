package reporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Seed writes the plan into db in one transaction, straight through the
// store (the services would take minutes for a programme this size, and what
// the reports read is the stored rows), and fills in the plan's ids. Emails
// are unique to the plan's agencies' ids, so Seed runs once per database.
func (p *Plan) Seed(ctx context.Context, db *store.DB) error {
	for i := range p.Agencies {
		a := &store.Agency{Name: p.Agencies[i].Name, Country: p.Agencies[i].Country}
		if err := db.CreateAgency(ctx, a); err != nil {
			return fmt.Errorf("seed agency: %w", err)
		}
		p.Agencies[i].ID = a.ID
	}
	return db.Tx(ctx, func(q store.Q) error {
		trainer := []store.User{{Email: fmt.Sprintf("trainer-%d@programme.test", p.Agencies[0].ID), Name: "Programme Trainer", Role: "trainer"}}
		if err := q.CreateUsers(trainer); err != nil {
			return err
		}
		users := make([]store.User, len(p.Officers))
		for i, o := range p.Officers {
			agency := p.Agencies[o.Agency].ID
			users[i] = store.User{Email: fmt.Sprintf("officer-%d-%d@programme.test", agency, i), Name: o.Name, Role: "officer", AgencyID: &agency}
		}
		if err := q.Insert(&users); err != nil {
			return err
		}
		for i := range users {
			p.Officers[i].ID = users[i].ID
		}
		sessions := make([]store.TrainingSession, len(p.Sessions))
		for i, s := range p.Sessions {
			day, err := time.Parse(time.DateOnly, s.Date)
			if err != nil {
				return fmt.Errorf("session %d date: %w", i, err)
			}
			sessions[i] = store.TrainingSession{CourseID: s.Course, Date: s.Date, StartTime: "09:00", EndTime: "17:00", Timezone: "UTC",
				StartsAt: day.Add(9 * time.Hour), EndsAt: day.Add(17 * time.Hour), Venue: "Hall", City: "City", Country: "FR",
				Capacity: 100, Status: s.Status, CheckinSecret: []byte("secret"), CreatedBy: trainer[0].ID}
		}
		if err := q.Insert(&sessions); err != nil {
			return err
		}
		for i := range sessions {
			p.Sessions[i].ID = sessions[i].ID
		}
		var enrolments []store.Enrollment
		var attendance []store.Attendance
		for _, st := range p.Seats {
			e := store.Enrollment{SessionID: p.Sessions[st.Session].ID, UserID: p.Officers[st.Officer].ID, Status: store.Enrolled}
			if st.Waitlisted {
				e.Status = store.Waitlisted
			}
			enrolments = append(enrolments, e)
			if st.Attendance != "" {
				attendance = append(attendance, store.Attendance{SessionID: e.SessionID, UserID: e.UserID, Status: st.Attendance,
					Source: store.ByTrainer, MarkedBy: trainer[0].ID, MarkedAt: sessions[st.Session].StartsAt})
			}
		}
		if err := insert(q, &enrolments); err != nil {
			return err
		}
		if err := insert(q, &attendance); err != nil {
			return err
		}
		if err := p.seedAttempts(q, sessions); err != nil {
			return err
		}
		return p.seedCertificates(q, sessions)
	})
}

func insert[T any](q store.Q, rows *[]T) error {
	if len(*rows) == 0 {
		return nil
	}
	return q.Insert(rows)
}

// seedAttempts writes the attempts and, for finalised ones, their item
// scores; a chunk at a time, so a benchmark's hundred thousand attempts do not
// sit in memory twice.
func (p *Plan) seedAttempts(q store.Q, sessions []store.TrainingSession) error {
	questions := map[string][]byte{}
	for course, quizzes := range p.Courses {
		for _, qz := range quizzes {
			var qs []map[string]any
			for _, id := range qz.Questions {
				qs = append(qs, map[string]any{"id": id, "kind": "single", "points": 1})
			}
			data, err := json.Marshal(qs)
			if err != nil {
				return err
			}
			questions[course+"/"+qz.ID] = data
		}
	}
	const chunk = 4000
	for start := 0; start < len(p.Attempts); start += chunk {
		plan := p.Attempts[start:min(start+chunk, len(p.Attempts))]
		rows := make([]store.Attempt, len(plan))
		for i, at := range plan {
			s := sessions[at.Session]
			started := s.StartsAt.Add(time.Duration(at.Number) * time.Hour)
			rows[i] = store.Attempt{SessionID: s.ID, QuizID: at.Quiz, UserID: p.Officers[at.Officer].ID, Number: at.Number,
				ContentHash: "seed", CourseHash: "seed", Questions: questions[s.CourseID+"/"+at.Quiz], PassMark: 70, Review: "after_close",
				StartedAt: started, Deadline: started.Add(20 * time.Minute)}
			if at.Finalised {
				done := started.Add(15 * time.Minute)
				rows[i].Finalised, rows[i].FinalisedAt, rows[i].Passed = store.FinalisedSubmitted, &done, at.Passed
				for _, f := range at.Items {
					rows[i].Score += f
				}
			}
		}
		if err := q.Insert(&rows); err != nil {
			return err
		}
		var items []store.ItemScore
		for i, at := range plan {
			for id, f := range at.Items {
				items = append(items, store.ItemScore{AttemptID: rows[i].ID, QuestionID: id, Fraction: f})
			}
		}
		if err := insert(q, &items); err != nil {
			return err
		}
	}
	return nil
}

func (p *Plan) seedCertificates(q store.Q, sessions []store.TrainingSession) error {
	rows := make([]store.Certificate, len(p.Certificates))
	for i, c := range p.Certificates {
		s, o := sessions[c.Session], p.Officers[c.Officer]
		ag := p.Agencies[o.Agency]
		rows[i] = store.Certificate{Serial: fmt.Sprintf("S%d-%d", s.ID, o.ID), SessionID: s.ID, UserID: o.ID, AgencyID: &ag.ID,
			HolderName: o.Name, AgencyName: ag.Name, CourseID: s.CourseID, CourseTitle: s.CourseID, CourseHash: "seed",
			SessionDate: s.Date, City: s.City, Country: s.Country, IssuedAt: s.EndsAt, ExpiresAt: c.ExpiresAt,
			Status: store.CertificateValid, Payload: []byte("{}"), Signature: "seed"}
		if c.Revoked {
			at := s.EndsAt.Add(24 * time.Hour)
			rows[i].Status, rows[i].RevokedAt, rows[i].RevocationReason = store.CertificateRevoked, &at, "seeded"
		}
	}
	return insert(q, &rows)
}
