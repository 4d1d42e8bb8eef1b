package store

import (
	"context"
	"sync"
	"time"
)

// checkpointEvery is how many commits of this process's writer go by
// before the checkpointer copies the WAL back into the database: about
// SQLite's own 1,000-page autocheckpoint for a watcher's commits of a few
// findings.
const checkpointEvery = 40

// checkpointer runs WAL checkpoints off the writer's path. SQLite's
// autocheckpoint would run them inside the commit that crosses the
// threshold (writing every page back and fsyncing twice while every
// waiting request queues behind it); the writer connection has it off and
// this goroutine runs a PASSIVE checkpoint on a reader connection instead,
// which never blocks the writer or readers. Close stops it; closing the
// last connection then checkpoints what is left.
type checkpointer struct {
	poke chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
	n    int // commits since the last poke, under Store.wmu
}

func (s *Store) startCheckpointer() {
	c := &checkpointer{poke: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.ckpt = c
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.stop:
				return
			case <-c.poke:
			}
			s.checkpoint()
		}
	}()
}

// checkpoint copies the WAL into the database in two passes: the bulk
// while the writer goes on, then what it wrote meanwhile with the writer
// held, so the WAL ends whole in the database when the next commit begins,
// and that commit starts the WAL over from the beginning (a checkpoint
// racing the writer never ends whole, and the WAL would grow without end).
// A failure (the database closing under it, a full disk) leaves the pages
// in the WAL, where readers find them; the next poke tries again.
func (s *Store) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
}

// committed counts a commit; every checkpointEvery it wakes the
// checkpointer. Called with s.wmu held.
func (s *Store) committed() {
	c := s.ckpt
	if c == nil {
		return
	}
	if c.n++; c.n < checkpointEvery {
		return
	}
	c.n = 0
	select {
	case c.poke <- struct{}{}:
	default: // one is queued: it will take these pages too
	}
}

func (s *Store) stopCheckpointer() {
	if c := s.ckpt; c != nil {
		c.once.Do(func() { close(c.stop) })
		<-c.done
	}
}
