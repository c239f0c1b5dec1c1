package vc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"
)

// vector is one eddsa-rdfc-2022 case of the W3C vc-di-eddsa test vectors.
type vector struct {
	name     string
	dir      string
	unsigned string // file name under testdata/vc-di-eddsa
}

var vectors = []vector{
	{"alumni", "testdata/vc-di-eddsa", "unsigned.json"},
	{"employ", "testdata/vc-di-eddsa/employ", "employmentAuth.json"},
}

func readVector(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vectorKey decodes keyPair.json: the public key as a Multikey, the private
// key as multibase of the multicodec ed25519-priv (0x1300, varint 0x80 0x26)
// followed by the 32-byte seed.
func vectorKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	var kp struct {
		PublicKeyMultibase  string `json:"publicKeyMultibase"`
		PrivateKeyMultibase string `json:"privateKeyMultibase"`
	}
	if err := json.Unmarshal(readVector(t, "testdata/vc-di-eddsa", "keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	pub, err := Ed25519FromMultikey(kp.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base58.Decode(strings.TrimPrefix(kp.PrivateKeyMultibase, "z"))
	if err != nil || len(raw) != 34 || raw[0] != 0x80 || raw[1] != 0x26 {
		t.Fatalf("private key multibase: %x %v", raw, err)
	}
	priv := ed25519.NewKeyFromSeed(raw[2:])
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("the vector's private key does not match its public key")
	}
	return pub, priv
}

// vectorProof reads the vector's proof configuration (type, cryptosuite, created,
// verificationMethod, proofPurpose, @context).
func vectorProof(t *testing.T, dir string) (ProofOptions, map[string]any) {
	t.Helper()
	var cfg map[string]any
	if err := json.Unmarshal(readVector(t, dir, "proofConfigDataInt.json"), &cfg); err != nil {
		t.Fatal(err)
	}
	created, err := time.Parse(time.RFC3339, cfg["created"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return ProofOptions{VerificationMethod: cfg["verificationMethod"].(string), Created: created}, cfg
}

func TestVectors_Canonicalize(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			got, err := Canonicalize(readVector(t, "testdata/vc-di-eddsa", v.unsigned))
			if err != nil {
				t.Fatal(err)
			}
			want := string(readVector(t, v.dir, "canonDocDataInt.txt"))
			if got != want {
				t.Fatalf("canonical document differs\ngot:\n%s\nwant:\n%s", got, want)
			}
			h := sha256.Sum256([]byte(got))
			if hex.EncodeToString(h[:]) != strings.TrimSpace(string(readVector(t, v.dir, "docHashDataInt.txt"))) {
				t.Errorf("document hash %x differs from the vector's", h)
			}

			cfg := readVector(t, v.dir, "proofConfigDataInt.json")
			gotCfg, err := Canonicalize(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if wantCfg := string(readVector(t, v.dir, "proofCanonDataInt.txt")); gotCfg != wantCfg {
				t.Fatalf("canonical proof configuration differs\ngot:\n%s\nwant:\n%s", gotCfg, wantCfg)
			}
			ch := sha256.Sum256([]byte(gotCfg))
			if hex.EncodeToString(ch[:]) != strings.TrimSpace(string(readVector(t, v.dir, "proofHashDataInt.txt"))) {
				t.Errorf("proof configuration hash %x differs from the vector's", ch)
			}

			var doc, config any
			if err := json.Unmarshal(readVector(t, "testdata/vc-di-eddsa", v.unsigned), &doc); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(cfg, &config); err != nil {
				t.Fatal(err)
			}
			combined, err := hashData(doc, config)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(combined) != strings.TrimSpace(string(readVector(t, v.dir, "combinedHashDataInt.txt"))) {
				t.Errorf("combined hash %x differs from the vector's", combined)
			}
		})
	}
}

func TestVectors_Sign(t *testing.T) {
	_, priv := vectorKey(t)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			opts, _ := vectorProof(t, v.dir)
			signed, err := Sign(readVector(t, "testdata/vc-di-eddsa", v.unsigned), priv, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			if err := json.Unmarshal(signed, &got); err != nil {
				t.Fatalf("signed output is not JSON: %v\n%s", err, signed)
			}
			if err := json.Unmarshal(readVector(t, v.dir, "signedDataInt.json"), &want); err != nil {
				t.Fatal(err)
			}
			gp, _ := json.Marshal(got["proof"])
			wp, _ := json.Marshal(want["proof"])
			if !bytes.Equal(gp, wp) {
				t.Fatalf("proof differs\ngot:  %s\nwant: %s", gp, wp)
			}
			if sig := strings.TrimSpace(string(readVector(t, v.dir, "sigBTC58DataInt.txt"))); got["proof"].(map[string]any)["proofValue"] != sig {
				t.Fatalf("proofValue differs from sigBTC58DataInt.txt")
			}
			delete(got, "proof")
			delete(want, "proof")
			gd, _ := json.Marshal(got)
			wd, _ := json.Marshal(want)
			if !bytes.Equal(gd, wd) {
				t.Fatalf("signed document differs beyond its proof\ngot:  %s\nwant: %s", gd, wd)
			}
		})
	}
}

// trustOnly resolves exactly one verification method to one key.
func trustOnly(vm string, key ed25519.PublicKey) func(string) (ed25519.PublicKey, error) {
	return func(got string) (ed25519.PublicKey, error) {
		if got != vm {
			return nil, errors.New("untrusted verification method")
		}
		return key, nil
	}
}

func TestVectors_Verify(t *testing.T) {
	pub, _ := vectorKey(t)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			opts, _ := vectorProof(t, v.dir)
			signed := readVector(t, v.dir, "signedDataInt.json")
			resolve := trustOnly(opts.VerificationMethod, pub)
			p, err := Verify(signed, resolve)
			if err != nil {
				t.Fatalf("the W3C signed credential does not verify: %v", err)
			}
			if p.VerificationMethod != opts.VerificationMethod || !p.Created.Equal(opts.Created) || p.Cryptosuite != Cryptosuite {
				t.Errorf("proof read as %+v", p)
			}
		})
	}
}

// TestVectors_VerifyRefusesChanges alters the W3C signed credentials one way at a
// time; every one must be refused, and with the right error.
func TestVectors_VerifyRefusesChanges(t *testing.T) {
	pub, _ := vectorKey(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey)
	cases := []struct {
		name   string
		vector string
		edit   func(m map[string]any)
		key    ed25519.PublicKey
		want   error
	}{
		{"one byte of the name", "alumni", func(m map[string]any) { m["name"] = "Alumni Credentiak" }, nil, ErrBadProof},
		{"one byte of the subject", "alumni", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["alumniOf"] = "The School of Examplez"
		}, nil, ErrBadProof},
		{"one byte of the subject id", "alumni", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["id"] = "did:example:abcdefgi"
		}, nil, ErrBadProof},
		{"one byte of validFrom", "alumni", func(m map[string]any) { m["validFrom"] = "2023-01-01T00:00:01Z" }, nil, ErrBadProof},
		{"one byte of the issuer", "alumni", func(m map[string]any) { m["issuer"] = "https://vc.example/issuers/5679" }, nil, ErrBadProof},
		{"one byte of the id", "alumni", func(m map[string]any) { m["id"] = "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc34" }, nil, ErrBadProof},
		{"a type removed", "alumni", func(m map[string]any) { m["type"] = []any{"VerifiableCredential"} }, nil, ErrBadProof},
		{"a property added", "alumni", func(m map[string]any) { m["validUntil"] = "2030-01-01T00:00:00Z" }, nil, ErrBadProof},
		{"one byte of a nested value", "employ", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["employmentAuthorizationDocument"].(map[string]any)["lprNumber"] = "999-999-998"
		}, nil, ErrBadProof},
		{"one byte of the birth date", "employ", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["birthDate"] = "1999-07-18"
		}, nil, ErrBadProof},
		{"proof created changed", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["created"] = "2023-02-24T23:36:39Z"
		}, nil, ErrBadProof},
		{"proof created removed", "alumni", func(m map[string]any) { delete(m["proof"].(map[string]any), "created") }, nil, ErrBadProof},
		{"proof created without a time zone", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["created"] = "2023-02-24T23:36:38"
		}, nil, ErrMalformed},
		{"proof expires added", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["expires"] = "2099-01-01T00:00:00Z"
		}, nil, ErrBadProof},
		{"proof value one character changed", "alumni", func(m map[string]any) {
			pv := m["proof"].(map[string]any)["proofValue"].(string)
			m["proof"].(map[string]any)["proofValue"] = pv[:10] + string(rune(pv[10]+1)) + pv[11:]
		}, nil, ErrBadProof},
		{"proof purpose changed", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["proofPurpose"] = "authentication"
		}, nil, ErrBadProof},
		{"cryptosuite changed", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["cryptosuite"] = "eddsa-jcs-2022"
		}, nil, ErrBadProof},
		{"proof type changed", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["type"] = "Ed25519Signature2020"
		}, nil, ErrBadProof},
		{"proof with a different @context", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		}, nil, ErrBadProof},
		{"unknown context added", "alumni", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://example.org/evil/v1")
		}, nil, ErrUnknownContext},
		{"wrong key", "alumni", func(map[string]any) {}, other, ErrBadProof},
		{"proof removed", "alumni", func(m map[string]any) { delete(m, "proof") }, nil, ErrMalformed},
		{"proof as a set", "alumni", func(m map[string]any) { m["proof"] = []any{m["proof"]} }, nil, ErrMalformed},
		{"proof value not base58", "alumni", func(m map[string]any) {
			m["proof"].(map[string]any)["proofValue"] = "z0OIl"
		}, nil, ErrMalformed},
		{"inline context added", "alumni", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"@vocab": nil})
		}, nil, ErrUnknownContext},
		{"context inside the subject", "alumni", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["@context"] = "https://www.w3.org/ns/credentials/examples/v2"
		}, nil, ErrMalformed},
		{"context listed twice", "alumni", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://www.w3.org/ns/credentials/v2")
		}, nil, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := "testdata/vc-di-eddsa"
			if c.vector == "employ" {
				dir += "/employ"
			}
			opts, _ := vectorProof(t, dir)
			var m map[string]any
			if err := json.Unmarshal(readVector(t, dir, "signedDataInt.json"), &m); err != nil {
				t.Fatal(err)
			}
			c.edit(m)
			doc, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			key := pub
			if c.key != nil {
				key = c.key
			}
			p, err := Verify(doc, trustOnly(opts.VerificationMethod, key))
			if err == nil {
				t.Fatalf("verified an altered credential: %+v", p)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}
