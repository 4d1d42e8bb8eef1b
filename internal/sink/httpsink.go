package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StatusError is an HTTP answer other than 2xx. URL is redacted.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string // first bytes of the response, for diagnosis
	RetryAfter  time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Temporary: timeouts, throttling and server errors are worth retrying.
func (e *StatusError) Temporary() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// permanent marks an error retrying cannot fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent wraps err so a Sender does not retry it.
func Permanent(err error) error { return permanent{err} }

// classify says whether to retry and how long the server asked us to wait.
func classify(err error) (retry bool, after time.Duration) {
	var p permanent
	if errors.As(err, &p) {
		return false, 0
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary(), se.RetryAfter
	}
	var ae awsRetry
	if errors.As(err, &ae) {
		return ae.retry, 0
	}
	var ie importError
	if errors.As(err, &ie) {
		return ie.Temporary(), 0
	}
	return true, 0 // network errors, timeouts
}

// RedactURL keeps scheme and host: webhook paths and queries are secrets.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<redacted-url>"
	}
	if u.Path == "" || u.Path == "/" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/<redacted>"
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// NewHTTPClient is the default client for HTTP sinks: it never follows
// redirects, so a signed body or secret URL cannot be bounced elsewhere.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// post sends body and maps failures to errors free of the URL's secrets.
func post(ctx context.Context, c *http.Client, rawURL string, body []byte, hdr http.Header) error {
	red := RedactURL(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("POST %s: bad request", red))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "portcullis")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the full URL
		}
		return fmt.Errorf("POST %s: %w", red, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return &StatusError{
		Method: "POST", URL: red, Status: resp.StatusCode,
		Body:       strings.TrimSpace(string(snippet)),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}
