package web

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/vc"
)

// ob3Issuer is a did:web issuer on a loopback server of the test's own: its
// DID document at /.well-known/did.json and one status list at
// /credentials/status/1, both signed with internal/vc, as certify does.
type ob3Issuer struct {
	base, did, vm string
	key           ed25519.PrivateKey
	statusList    atomic.Pointer[[]byte]
}

func newOB3Issuer(t *testing.T) *ob3Issuer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The address first: the DID names it, and the handlers read it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is := &ob3Issuer{key: key, base: "http://" + ln.Addr().String()}
	if is.did, err = vc.DIDWeb(is.base); err != nil {
		t.Fatal(err)
	}
	is.vm = is.did + "#0123456789abcdef"
	is.setStatusList(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/did.json", func(w http.ResponseWriter, r *http.Request) {
		mk, err := vc.MultikeyFromEd25519(key.Public().(ed25519.PublicKey))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"@context": []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
			"id":       is.did,
			"verificationMethod": []map[string]any{{
				"id": is.vm, "type": "Multikey", "controller": is.did, "publicKeyMultibase": mk}},
			"assertionMethod": []string{is.vm},
		})
	})
	mux.HandleFunc("GET /credentials/status/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(*is.statusList.Load())
	})
	serveListener(t, ln, &http.Server{Handler: mux})
	return is
}

// sign signs doc (a JSON-LD object) as the issuer.
func (is *ob3Issuer) sign(t *testing.T, doc any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := vc.Sign(data, is.key, vc.ProofOptions{VerificationMethod: is.vm, Created: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// setStatusList serves a signed BitstringStatusListCredential whose bits
// at the indexes revoked are set.
func (is *ob3Issuer) setStatusList(t *testing.T, revoked ...int) {
	t.Helper()
	bits := vc.NewStatusList(vc.MinStatusListBits)
	for _, i := range revoked {
		if err := vc.SetStatusBit(bits, i, true); err != nil {
			t.Fatal(err)
		}
	}
	encoded, err := vc.EncodeStatusList(bits)
	if err != nil {
		t.Fatal(err)
	}
	list := is.sign(t, map[string]any{
		"@context":  []string{"https://www.w3.org/ns/credentials/v2"},
		"id":        is.base + "/credentials/status/1",
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    is.did,
		"validFrom": "2026-12-03T17:00:00Z",
		"credentialSubject": map[string]any{
			"id": is.base + "/credentials/status/1#list", "type": "BitstringStatusList",
			"statusPurpose": "revocation", "encodedList": encoded},
	})
	is.statusList.Store(&list)
}

// credential is an OpenBadgeCredential of the shape certify issues, with
// status list entry index.
func (is *ob3Issuer) credential(index int) map[string]any {
	doc := ob3Credential(is.base, is.did)
	doc["credentialStatus"] = map[string]any{
		"id": fmt.Sprintf("%s/credentials/status/1#%d", is.base, index), "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": strconv.Itoa(index),
		"statusListCredential": is.base + "/credentials/status/1"}
	return doc
}

// ob3Credential is an OpenBadgeCredential of the shape certify issues, by
// the issuer did of base, without a status.
func ob3Credential(base, did string) map[string]any {
	return map[string]any{
		"@context":  []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        base + "/verify/0123456789ABCDEF",
		"type":      []string{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": did, "type": []string{"Profile"}, "name": "Programme Marker", "url": base},
		"name":      "Certificate of attendance and achievement",
		"validFrom": "2026-12-03T17:00:00Z", "validUntil": "2029-12-03T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": []string{"AchievementSubject"},
			"identifier": []map[string]any{{
				"type": "IdentityObject", "identityType": "name", "hashed": false, "identityHash": "Élise Dupont-Łukasiewicz"}},
			"achievement": map[string]any{
				"id": base + "/courses/crypto-crime#achievement", "type": []string{"Achievement"},
				"name": "Investigating crypto-asset crime", "description": "One-day intensive.",
				"criteria":        map[string]any{"narrative": "Attend the whole session."},
				"achievementType": "Certificate"},
		},
	}
}

// TestOB3Node_SignedByVC: a credential signed by internal/vc with the did:web
// of a loopback server verifies with Digital Bazaar's libraries (proof, issuer
// = key controller, status list checked and itself verified), and is refused
// after a one-character change, with its status bit set, with a status list
// whose proof was altered, and when it names a context we do not vendor.
func TestOB3Node_SignedByVC(t *testing.T) {
	node := needOB3Verifier(t)
	is := newOB3Issuer(t)
	const index = 70001
	cred := is.sign(t, is.credential(index))
	now := "--now=2026-12-04T12:00:00Z"
	v := verifyWithNode(t, node, cred, "--base", is.base, now)
	if !v.Verified || v.Issuer != is.did || v.VerificationMethod != is.vm ||
		len(v.Status) != 1 || v.Status[0].StatusPurpose != "revocation" || v.Status[0].Status {
		t.Fatalf("our credential: %+v", v)
	}
	// The status list credential verifies on its own too.
	if v := verifyWithNode(t, node, *is.statusList.Load(), "--base", is.base, now); !v.Verified {
		t.Errorf("our status list credential: %+v", v)
	}

	t.Run("OneCharacterChanged", func(t *testing.T) {
		for _, c := range []struct{ from, to string }{
			{"Élise", "Élisa"}, {"crypto-asset", "crypto-assat"}, {`"validFrom":"2026-12-03`, `"validFrom":"2026-12-02`}} {
			changed := bytes.Replace(cred, []byte(c.from), []byte(c.to), 1)
			if bytes.Equal(changed, cred) {
				t.Fatalf("%q not in the credential", c.from)
			}
			if v := verifyWithNode(t, node, changed, "--base", is.base, now); v.Verified || !strings.Contains(v.Error, "Invalid signature") {
				t.Errorf("%q → %q: %+v, want refused for its signature", c.from, c.to, v)
			}
		}
	})
	t.Run("Revoked", func(t *testing.T) {
		is.setStatusList(t, index-1, index+1) // the neighbours do not matter
		if v := verifyWithNode(t, node, cred, "--base", is.base, now); !v.Verified {
			t.Errorf("neighbours revoked: %+v", v)
		}
		is.setStatusList(t, index)
		defer is.setStatusList(t)
		if v := verifyWithNode(t, node, cred, "--base", is.base, now); v.Verified || !strings.Contains(v.Error, "status list says: revocation") {
			t.Errorf("revoked: %+v, want refused by the status list", v)
		}
	})
	t.Run("StatusListAltered", func(t *testing.T) {
		list := *is.statusList.Load()
		defer is.statusList.Store(&list)
		altered := bytes.Replace(list, []byte(`"statusPurpose":"revocation"`), []byte(`"statusPurpose":"revocation" `), 1)
		altered = bytes.Replace(altered, []byte(`"validFrom":"2026-12-03`), []byte(`"validFrom":"2026-12-02`), 1)
		is.statusList.Store(&altered)
		if v := verifyWithNode(t, node, cred, "--base", is.base, now); v.Verified || !strings.Contains(v.Error, "not verified") {
			t.Errorf("altered status list: %+v, want refused", v)
		}
	})
	t.Run("UnknownContext", func(t *testing.T) {
		var doc map[string]any
		json.Unmarshal(cred, &doc)
		doc["@context"] = append(doc["@context"].([]any), "https://example.org/unknown/v1")
		data, _ := json.Marshal(doc)
		if v := verifyWithNode(t, node, data, "--base", is.base, now); v.Verified || !strings.Contains(v.Error, "fail closed") {
			t.Errorf("unknown context: %+v, want refused by the offline loader", v)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		if v := verifyWithNode(t, node, cred, "--base", is.base, "--now=2030-01-01T00:00:00Z"); v.Verified || !strings.Contains(v.Error, "validUntil") {
			t.Errorf("after validUntil: %+v, want refused", v)
		}
	})
}
