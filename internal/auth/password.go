package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id with modest parameters (OWASP's minimum: 19 MiB, 2 passes) so that a
// hall of officers signing in at 09:00 neither exhausts memory nor stalls: at most
// NumCPU hashes run at once, the rest queue.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
	MinPasswordLen = 12
)

var hashSlots = make(chan struct{}, runtime.NumCPU())

// maxHashWait bounds the queue for a hash slot: past it, a sign-in is refused with
// "busy, retry" rather than left waiting until the client gives up.
const maxHashWait = 15 * time.Second

// errHashBusy reports that every hash slot stayed taken for maxHashWait.
var errHashBusy = errors.New("password hashing is busy")

// hashesQueued counts the hashes waiting for or holding a slot, and hashNanos
// is a moving average of one hash's wall time, so that a sign-in can be told
// at once, before anything is written for it, that the queue ahead of it is
// longer than maxHashWait (queueWait). Without that, a hall signing in at once
// kept thousands of sign-ins each waiting 15 s with an attempt row written,
// then refused them all, and their resends arrived together.
var (
	hashesQueued atomic.Int64
	hashNanos    atomic.Int64
)

func init() { hashNanos.Store(int64(50 * time.Millisecond)) }

// queueWait estimates how long a hash asked for now would wait for a slot:
// the hashes ahead of it, shared by the slots.
func queueWait() time.Duration {
	return time.Duration(hashesQueued.Load() * hashNanos.Load() / int64(cap(hashSlots)))
}

// observeHash folds one hash's wall time into hashNanos (weight 1/8; a lost
// update between two hashes finishing at once only delays the average).
func observeHash(d time.Duration) {
	old := hashNanos.Load()
	hashNanos.Store(old + (int64(d)-old)/8)
}

func argon(ctx context.Context, password string, salt []byte, memory, passes uint32, threads uint8, keyLen uint32) ([]byte, error) {
	hashesQueued.Add(1)
	defer hashesQueued.Add(-1)
	wait := time.NewTimer(maxHashWait)
	defer wait.Stop()
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done(): // the client left: do not spend 20 MiB and 35 ms on it
		return nil, ctx.Err()
	case <-wait.C:
		return nil, errHashBusy
	}
	defer func() { <-hashSlots }()
	began := time.Now()
	key := argon2.IDKey([]byte(password), salt, passes, memory, threads, keyLen)
	observeHash(time.Since(began))
	return key, nil
}

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key, err := argon(context.Background(), password, salt, argonMemoryKiB, argonTime, argonThreads, argonKeyLen)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword compares a password with a stored hash in constant time. The
// parameters come from the hash, so they can be raised later without a reset.
func CheckPassword(hash, password string) bool {
	ok, _ := checkPassword(context.Background(), hash, password)
	return ok
}

// checkPassword is CheckPassword that gives up when ctx ends or the queue is full.
func checkPassword(ctx context.Context, hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false, nil
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, nil
	}
	got, err := argon(ctx, password, salt, memory, passes, threads, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when an e-mail address is unknown, so that a
// failed login takes as long whether or not the account exists.
var dummyHash, _ = HashPassword("lectern-timing-equaliser")

// RandomPassword returns a password for a generated account (the first admin).
func RandomPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
