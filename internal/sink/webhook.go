package sink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Webhook headers. The signature covers "<timestamp>.<body>", so a captured
// request cannot be replayed later with a fresh timestamp.
const (
	HeaderSignature = "X-Portcullis-Signature"
	HeaderTimestamp = "X-Portcullis-Timestamp"
	HeaderFindingID = "X-Portcullis-Finding-Id"
)

// Webhook POSTs the finding's JSON to a URL.
type Webhook struct {
	name    string
	url     string
	hmacKey []byte
	client  *http.Client
	now     func() time.Time
}

// NewWebhook builds a webhook sink; key may be empty (no signature).
func NewWebhook(name, rawURL string, key []byte, c *http.Client) *Webhook {
	if c == nil {
		c = NewHTTPClient()
	}
	return &Webhook{name: name, url: rawURL, hmacKey: key, client: c, now: time.Now}
}

func (w *Webhook) Name() string { return w.name }

func (w *Webhook) Send(ctx context.Context, f finding.Finding) error {
	body, err := finding.JSON(f)
	if err != nil {
		return Permanent(fmt.Errorf("encode finding %s: %w", f.ID, err))
	}
	h := http.Header{}
	h.Set(HeaderFindingID, f.ID)
	ts := strconv.FormatInt(w.now().Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	if len(w.hmacKey) > 0 {
		h.Set(HeaderSignature, Sign(w.hmacKey, ts, body))
	}
	return post(ctx, w.client, w.url, body, h)
}

// Sign returns the X-Portcullis-Signature value for a timestamp and body.
func Sign(key []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook request as a receiver should: the signature
// matches (constant time) and the timestamp is within tolerance of now.
func Verify(key []byte, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("bad %s %q", HeaderTimestamp, timestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s is %s away from now (tolerance %s)", HeaderTimestamp, d.Round(time.Second), tolerance)
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return errors.New("signature is not sha256=<hex>")
	}
	if !hmac.Equal([]byte(Sign(key, timestamp, body)), []byte(signature)) {
		return errors.New("signature mismatch")
	}
	return nil
}
