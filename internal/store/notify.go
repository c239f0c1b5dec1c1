package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channels that processes sharing one PostgreSQL database notify each other
// on. Each is wrapped by the domain package that owns the state it keeps in
// step (auth's cache, course's library, …); web never calls Notify or Listen.
const (
	ChannelAuth        = "lectern_auth"
	ChannelCourse      = "lectern_course"
	ChannelRegrade     = "lectern_regrade"
	ChannelCertificate = "lectern_certificate"
)

// channel is a channel's name on this database: PostgreSQL's notifications
// are per database, but an installation is a schema (its tables, and its
// advisory locks in Exclusively), so the name carries a tag of the current
// schema. Two installations sharing a database, or tests in schemas of their
// own, then do not hear each other's evictions and purges.
func (db *DB) channel(name string) string { return name + db.schemaTag }

// schemaTag is "_" and 8 hex digits of the schema's hash: short enough for
// PostgreSQL's 63-byte identifiers, and a safe identifier whatever the
// schema's name.
func schemaTag(schema string) string {
	sum := sha256.Sum256([]byte(schema))
	return "_" + hex.EncodeToString(sum[:4])
}

// ListenAll is the payload Listen hands its callback after every
// (re)connection: notifications sent while it was not listening are lost, so
// whatever the listener keeps in step must be dropped whole.
const ListenAll = "*"

// Notify sends payload on channel to every process listening on this
// database (PostgreSQL's NOTIFY). With SQLite there is one process per
// database file, so there is nobody to tell: it does nothing.
func (db *DB) Notify(ctx context.Context, channel, payload string) error {
	if db.Dialect != "postgres" {
		return nil
	}
	if err := db.W.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", db.channel(channel), payload).Error; err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Notify queues payload on channel inside the transaction: PostgreSQL sends
// it when the transaction commits, and never if it rolls back, so listeners
// cannot act on a change that did not happen, nor miss one that did. With
// SQLite it does nothing (see DB.Notify).
func (q Q) Notify(channel, payload string) error {
	if !q.postgres {
		return nil
	}
	if err := q.g.Exec("SELECT pg_notify(?, ?)", channel+q.schemaTag, payload).Error; err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listen calls fn with the payload of every notification on channel until ctx
// ends, then returns nil. It holds a connection of its own (outside the pool:
// a listening connection cannot be shared), reconnects with backoff when it
// is lost or stops answering a ping after listenPing of quiet, and after
// every (re)connection calls fn(ListenAll) — also the signal that it is
// listening. fn runs on Listen's goroutine, one call at a time; it must be
// quick. With SQLite it returns nil at once: no other process shares the
// file.
func (db *DB) Listen(ctx context.Context, channel string, fn func(payload string)) error {
	if db.Dialect != "postgres" {
		return nil
	}
	const first, most = 100 * time.Millisecond, 5 * time.Second
	backoff := first
	for {
		listened, err := db.listenOnce(ctx, channel, fn)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = first
		}
		db.log.Warn("listening for notifications: connection lost, reconnecting", "channel", channel, "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, most)
	}
}

// listenOnce connects, listens and hands fn each notification until the
// connection fails or ctx ends; listened says whether it got as far as
// listening (the backoff starts again after a connection that worked).
func (db *DB) listenOnce(ctx context.Context, channel string, fn func(string)) (listened bool, err error) {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		// ctx may be over already; closing needs a moment of its own.
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel(channel)}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen %s: %w", channel, err)
	}
	fn(ListenAll)
	for {
		// Wake every listenPing to check the connection is still there: one
		// dropped without a reset (a NAT or firewall forgetting it, a failover)
		// would otherwise leave this process deaf, keeping what it should have
		// evicted, until TCP keepalive notices minutes later.
		wait, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wait)
		quiet := wait.Err() != nil
		cancel()
		if err == nil {
			fn(n.Payload)
			continue
		}
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		if !quiet {
			return true, fmt.Errorf("wait for notification on %s: %w", channel, err)
		}
		ping, cancel := context.WithTimeout(ctx, listenPingTimeout)
		err = conn.Ping(ping)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			return true, fmt.Errorf("ping the connection listening on %s: %w", channel, err)
		}
	}
}

// listenPing is how long a listening connection may stay quiet before it is
// pinged, and listenPingTimeout how long the ping may take before the
// connection counts as lost (a reconnect follows, and with it ListenAll).
// Variables so a test can shorten them.
var (
	listenPing        = 30 * time.Second
	listenPingTimeout = 10 * time.Second
)
