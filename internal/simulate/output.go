package simulate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.yaml.in/yaml/v3"
)

// fileConfig mirrors portcullis.yaml; every key is optional for readers.
type fileConfig struct {
	Admins             []string `yaml:"admins"`
	SensitiveAccounts  []string `yaml:"sensitive_accounts"`
	PrivilegedGroups   []string `yaml:"privileged_groups"`
	MaxSessionDuration string   `yaml:"max_session_duration"`
	LargeGroupSize     int      `yaml:"large_group_size"`
	// TrustedTokenIssuers: the organization's own identity provider.
	TrustedTokenIssuers []string `yaml:"trusted_token_issuers,omitempty"`
}

func writeConfig(path string, o *org, seed int64) error {
	c := fileConfig{Admins: o.adminPatterns, MaxSessionDuration: "PT4H", LargeGroupSize: 50, TrustedTokenIssuers: []string{corpIssuer}}
	for _, a := range o.accounts {
		if a.sensitive {
			c.SensitiveAccounts = append(c.SensitiveAccounts, a.id)
		}
	}
	// Ids and names both appear, as users write them; attacks use listed ids.
	for _, g := range o.groups {
		if g.privileged {
			c.PrivilegedGroups = append(c.PrivilegedGroups, g.id)
		}
	}
	c.PrivilegedGroups = append(c.PrivilegedGroups, "PlatformAdmins", "BreakGlass")
	body, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("simulate: render %s: %w", path, err)
	}
	head := fmt.Sprintf("# Written by portcullis simulate (seed %d) for organization %s.\n", seed, o.id)
	if err := os.WriteFile(path, append([]byte(head), body...), 0o644); err != nil {
		return fmt.Errorf("simulate: write %s: %w", path, err)
	}
	return nil
}

func writeTruth(path string, steps []Step) error {
	if steps == nil {
		steps = []Step{}
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the planted records are read as they were written
	if err := enc.Encode(steps); err != nil {
		return fmt.Errorf("simulate: render %s: %w", path, err)
	}
	if err := os.WriteFile(path, body.Bytes(), 0o644); err != nil {
		return fmt.Errorf("simulate: write %s: %w", path, err)
	}
	return nil
}

type digestLog struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

type digest struct {
	AWSAccountID             string      `json:"awsAccountId"`
	DigestStartTime          string      `json:"digestStartTime"`
	DigestEndTime            string      `json:"digestEndTime"`
	DigestS3Bucket           string      `json:"digestS3Bucket"`
	DigestS3Object           string      `json:"digestS3Object"`
	DigestPublicKeyFinger    string      `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm string      `json:"digestSignatureAlgorithm"`
	NewestEventTime          *string     `json:"newestEventTime"`
	OldestEventTime          *string     `json:"oldestEventTime"`
	PreviousDigestS3Bucket   *string     `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object   *string     `json:"previousDigestS3Object"`
	LogFiles                 []digestLog `json:"logFiles"`
}

func rfc3339(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.RFC3339) }

// writeDigests writes one CloudTrail-Digest object per account and day, for
// the first hour, in the home region. Readers must skip these.
func writeDigests(out string, o *org, files []*fileSpec, results []fileResult, days int, start int64) error {
	bucket := "acme-org-trail-" + o.security.id
	for _, a := range o.accounts {
		for d := range days {
			from := start + int64(d)*86400
			to := from + 3600
			stamp := appendStamp(nil, to+300, true)
			key := "AWSLogs/" + o.id + "/" + a.id + "/CloudTrail-Digest/" + o.home + "/" + string(appendDatePath(nil, to, '/')) +
				"/" + a.id + "_CloudTrail-Digest_" + o.home + "_org-trail_" + o.home + "_" + string(stamp) + ".json.gz"
			dg := digest{AWSAccountID: a.id, DigestStartTime: rfc3339(from), DigestEndTime: rfc3339(to), DigestS3Bucket: bucket,
				DigestS3Object: key, DigestPublicKeyFinger: o.instanceID[7:] + o.instanceID[7:], DigestSignatureAlgorithm: "SHA256withRSA",
				LogFiles: []digestLog{}}
			for i, f := range files {
				if f.stream.acct != a || f.stream.region != o.home || f.stamp <= from || f.stamp > to {
					continue
				}
				sum, err := fileHash(filepath.Join(out, filepath.FromSlash(f.key)))
				if err != nil {
					return err
				}
				newest, oldest := rfc3339(results[i].newest), rfc3339(results[i].oldest)
				dg.LogFiles = append(dg.LogFiles, digestLog{S3Bucket: bucket, S3Object: f.key, HashValue: sum, HashAlgorithm: "SHA-256",
					NewestEventTime: newest, OldestEventTime: oldest})
				if dg.NewestEventTime == nil || newest > *dg.NewestEventTime {
					dg.NewestEventTime = &newest
				}
				if dg.OldestEventTime == nil || oldest < *dg.OldestEventTime {
					dg.OldestEventTime = &oldest
				}
			}
			if err := writeGzipJSON(filepath.Join(out, filepath.FromSlash(key)), dg); err != nil {
				return err
			}
		}
	}
	return nil
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("simulate: hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("simulate: hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeGzipJSON(path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("simulate: render %s: %w", path, err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // valid level: no error
	if _, err := zw.Write(body); err != nil {
		return fmt.Errorf("simulate: compress %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("simulate: compress %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("simulate: create directory for %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("simulate: write %s: %w", path, err)
	}
	return nil
}
