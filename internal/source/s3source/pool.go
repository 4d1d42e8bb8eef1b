package s3source

import (
	"context"
	"sync"
)

// pool runs tasks that may queue more tasks on a fixed number of workers.
// (errgroup.SetLimit cannot do this: a task blocked in Go waiting for a
// slot held by its own parent deadlocks the walk.)
type pool struct {
	mu      sync.Mutex
	cond    *sync.Cond
	tasks   []func() error
	pending int // queued + running
	err     error
	cancel  context.CancelFunc
}

func newPool(cancel context.CancelFunc) *pool {
	p := &pool{cancel: cancel}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// push queues a task; safe from inside a task.
func (p *pool) push(t func() error) {
	p.mu.Lock()
	p.pending++
	p.tasks = append(p.tasks, t)
	p.mu.Unlock()
	p.cond.Signal()
}

// run starts n workers and waits until no task is queued or running, or
// one failed; it returns the first error.
func (p *pool) run(n int) error {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work()
		}()
	}
	wg.Wait()
	return p.err
}

func (p *pool) work() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.tasks) == 0 && p.pending > 0 && p.err == nil {
			p.cond.Wait()
		}
		if p.err != nil || p.pending == 0 {
			p.cond.Broadcast()
			return
		}
		// LIFO: finish a subtree before starting the next keeps the queue short.
		t := p.tasks[len(p.tasks)-1]
		p.tasks = p.tasks[:len(p.tasks)-1]
		p.mu.Unlock()
		err := t()
		p.mu.Lock()
		p.pending--
		if err != nil && p.err == nil {
			p.err = err
			p.cancel()
		}
		p.cond.Broadcast()
	}
}
