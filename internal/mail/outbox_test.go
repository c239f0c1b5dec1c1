package mail

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

func TestOutbox_Messages(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	err := db.Tx(ctx, func(q store.Q) error {
		if err := Enqueue(q, Message{Kind: KindInvitation, UserID: &u.ID, To: u.Email, Subject: "Welcome", Text: "link"}); err != nil {
			return err
		}
		return Enqueue(q, Message{Kind: KindCertificateIssued, UserID: &u.ID, To: u.Email, Subject: "Certificate", Text: "attached",
			Attachments: []Attachment{{Name: "cert.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7 12345")}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	o := NewOutbox(db)
	admin := &auth.Actor{UserID: 1, Role: auth.RoleAdmin}

	t.Run("admin reads, newest first, sizes not data", func(t *testing.T) {
		list, err := o.Messages(ctx, admin, OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Kind != string(KindCertificateIssued) || list[1].Kind != string(KindInvitation) {
			t.Fatalf("messages = %+v, want the certificate then the invitation", list)
		}
		if a := list[0].Attachments; len(a) != 1 || a[0].Name != "cert.pdf" || a[0].Size != 14 {
			t.Errorf("attachments = %+v, want cert.pdf of 14 bytes", a)
		}
		data, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		// The JSON the API has always answered: snake_case keys, and null
		// attachments for a message without any.
		for _, want := range []string{`"to_address":"officer@example.org"`, `"attachments":[{"name":"cert.pdf","content_type":"application/pdf","size":14}]`,
			`"attachments":null`, `"status":"queued"`, `"next_attempt_at":`, `"sent_at":null`} {
			if !strings.Contains(string(data), want) {
				t.Errorf("JSON lacks %s: %s", want, data)
			}
		}
		counts, err := o.Counts(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if counts[string(StatusQueued)] != 2 {
			t.Errorf("counts = %v, want 2 queued", counts)
		}
	})
	t.Run("filter", func(t *testing.T) {
		list, err := o.Messages(ctx, admin, OutboxFilter{Kind: string(KindInvitation)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Subject != "Welcome" {
			t.Errorf("messages = %+v, want the invitation only", list)
		}
	})
	for _, role := range []auth.Role{auth.RoleTrainer, auth.RoleCoordinator, auth.RoleOfficer} {
		t.Run(string(role)+" may not read", func(t *testing.T) {
			a := &auth.Actor{UserID: u.ID, Role: role}
			if _, err := o.Messages(ctx, a, OutboxFilter{UserID: &u.ID}); !apperr.Is(err, apperr.CodeForbidden) {
				t.Errorf("messages: err = %v, want forbidden", err)
			}
			if _, err := o.Counts(ctx, a); !apperr.Is(err, apperr.CodeForbidden) {
				t.Errorf("counts: err = %v, want forbidden", err)
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		if _, err := o.Messages(ctx, nil, OutboxFilter{}); !apperr.Is(err, apperr.CodeUnauthorized) {
			t.Errorf("err = %v, want unauthorized", err)
		}
	})
}
