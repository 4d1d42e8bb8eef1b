package watch

import (
	"net/url"
	"regexp"
	"strings"
)

var regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// RegionFromQueueURL returns the region an SQS queue URL names:
// https://sqs.REGION.amazonaws.com/…, https://REGION.queue.amazonaws.com/…
// (the legacy form; queue.amazonaws.com is us-east-1), sqs-fips, China's
// amazonaws.com.cn and VPC endpoint hosts alike. ok is false for any other
// host (a local test server, a custom endpoint).
func RegionFromQueueURL(queueURL string) (string, bool) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", false
	}
	labels := strings.Split(strings.ToLower(u.Hostname()), ".")
	for i, l := range labels {
		switch {
		case (l == "sqs" || l == "sqs-fips") && i+1 < len(labels) && regionRe.MatchString(labels[i+1]):
			return labels[i+1], true
		case l == "queue" && i > 0 && regionRe.MatchString(labels[i-1]):
			return labels[i-1], true
		case l == "queue" && i == 0 && strings.Join(labels, ".") == "queue.amazonaws.com":
			return "us-east-1", true
		}
	}
	return "", false
}
