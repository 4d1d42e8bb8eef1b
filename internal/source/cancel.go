package source

import (
	"context"
	"io"
)

// ContextReader reads r so that ctx ending interrupts a read blocked on a
// pipe or a terminal (stdin), which the OS would otherwise wait on forever:
// each read runs in a goroutine, and Read returns ctx's error as soon as
// ctx ends. A read abandoned that way finishes (or blocks) on its own;
// nothing reads r after that.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return &ctxReader{ctx: ctx, r: r, res: make(chan readResult, 1)}
}

type readResult struct {
	buf []byte
	err error
}

type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	res     chan readResult
	pending bool   // a read is running
	left    []byte // read but not yet handed out
	err     error  // sticky: the source's error, or ctx's
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.left) > 0 {
		n := copy(p, c.left)
		c.left = c.left[n:]
		return n, nil
	}
	if c.err != nil {
		return 0, c.err
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !c.pending {
		c.pending = true
		buf := make([]byte, len(p))
		go func() {
			n, err := c.r.Read(buf)
			c.res <- readResult{buf: buf[:n], err: err}
		}()
	}
	select {
	case r := <-c.res:
		c.pending = false
		n := copy(p, r.buf)
		c.left = r.buf[n:]
		c.err = r.err
		if len(c.left) > 0 {
			return n, nil
		}
		return n, r.err
	case <-c.ctx.Done():
		c.err = c.ctx.Err()
		return 0, c.err
	}
}
