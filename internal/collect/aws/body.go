package awscollect

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ErrResponseTooLarge: a response body over Options.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body too large")

// capBodyClient is the SDK's HTTP client with a cap on response bodies.
type capBodyClient struct {
	next aws.HTTPClient
	max  int64
}

func (c *capBodyClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > c.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", ErrResponseTooLarge, resp.ContentLength, c.max)
	}
	resp.Body = &capBody{rc: resp.Body, left: c.max, max: c.max}
	return resp, nil
}

// capBody fails a read past max bytes. After that it closes the body (the
// connection is dropped, not drained) and reads as ended, so the SDK's
// attempt to drain it neither reads on nor complains.
type capBody struct {
	rc        io.ReadCloser
	left, max int64
	over      bool
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte past the cap tells there is more
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		b.over = true
		b.rc.Close()
		return 0, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, b.max)
	}
	return n, err
}

func (b *capBody) Close() error {
	if b.over {
		return nil
	}
	return b.rc.Close()
}
