// Package store is portcullis's embedded SQLite database: findings and their
// triage status, processed event ids (dedupe), detector state, checkpoints
// and dead letters. It is a plain file (WAL mode) so the daemon survives
// restarts without any server.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ErrNotFound is returned when a finding id is not in the store.
var ErrNotFound = errors.New("not found")

// Store is safe for concurrent use by many goroutines (and, through SQLite's
// file locking, by several processes).
type Store struct {
	db *sql.DB // readers
	// w is the one connection this process writes through. One connection
	// keeps its page cache across commits (SQLite drops a connection's
	// cache whenever another connection has written), so a commit rereads
	// nothing it touched in the last one.
	w      *sql.DB
	writes writes        // the commit's statements, prepared on w (stmts.go)
	ckpt   *checkpointer // WAL checkpoints off the writer's path (checkpoint.go)
	path   string
	now    func() time.Time
	// wmu serialises this process's writers. SQLite allows one writer at a
	// time anyway, and its busy handler waits by sleeping (1, 2, 5, 10 ms …),
	// so queueing here keeps commit latency at the commit's own cost. Other
	// processes still meet the busy timeout.
	wmu sync.Mutex
	// mustExist refuses to create a missing database (see MustExist).
	mustExist bool
}

// Option tunes Open.
type Option func(*Store)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// MustExist makes Open fail when the file does not exist instead of
// creating an empty store (readers such as the web view: an empty store
// made by a typo would show "no findings" instead of an error).
func MustExist() Option { return func(s *Store) { s.mustExist = true } }

// BusyTimeout is how long a writer waits for another writer's lock.
const BusyTimeout = 10 * time.Second

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty path")
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL is durable across application crashes in WAL mode; only a power
	// loss can roll back the last commits, and SQS/EventBridge redeliver those.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals (an INSERT OR IGNORE in a transaction keeps one)
	// stay in memory instead of a temporary file written page by page.
	q.Add("_pragma", "temp_store(memory)")
	// IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
	// busy timeout instead of failing with SQLITE_BUSY on lock upgrade.
	q.Set("_txlock", "immediate")
	s := &Store{path: path, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.mustExist {
		q.Set("mode", "rw")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: open: %w", path, err)
	}
	s.db = db
	// The writer leaves checkpoints to the checkpointer, and keeps a
	// bigger page cache than SQLite's 2 MB default: a watcher's state rows
	// (a 100,000-assignment model is 15 MB of them) are written in random
	// order, and each page missing from the cache is a read.
	if s.w, err = sql.Open("sqlite", dsn+"&_pragma=wal_autocheckpoint(0)&_pragma=cache_size(-32768)"); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: open: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		if s.mustExist {
			if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
				return nil, fmt.Errorf("store %s: no such file (make one with portcullis watch --store)", path)
			}
		}
		return nil, fmt.Errorf("store %s: open: %w", path, err)
	}
	if err := s.migrate(ctx, migrations()); err != nil {
		s.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := s.prepareWrites(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s.startCheckpointer()
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database.
func (s *Store) Close() error {
	s.stopCheckpointer()
	s.writes.close()
	return errors.Join(s.w.Close(), s.db.Close())
}

// tx runs fn in one write transaction.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.committed()
	return nil
}

// exec runs one write statement outside a transaction.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.w.ExecContext(ctx, q, args...)
	if err == nil {
		s.committed()
	}
	return res, err
}

// Times are stored as Unix nanoseconds so they sort and compare as integers.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
