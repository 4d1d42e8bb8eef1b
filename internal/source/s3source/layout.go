package s3source

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-sec/portcullis/internal/source"
)

// level is where a prefix sits in the trail layout.
type level int

const (
	levelAbove   level = iota // above AWSLogs (bucket root, custom prefix, Control Tower o-ORG)
	levelAWSLogs              // …/AWSLogs/
	levelOrg                  // …/AWSLogs/o-ORG/
	levelAccount              // …/ACCOUNT/
	levelTrail                // …/ACCOUNT/CloudTrail/
	levelRegion               // …/CloudTrail/REGION/ and anything below (dates)
	levelInvalid              // …/ACCOUNT/<not CloudTrail>/ or digest/insight
)

// classify places a prefix (ending in "/", or "") in the layout, reading
// its segments after the last AWSLogs. base is the region folder for
// levelRegion.
func classify(prefix string) (lv level, k source.Key, base string) {
	lv, k = classifySegs(prefix)
	if lv == levelRegion {
		marker := "/CloudTrail/" + k.Region + "/"
		if i := strings.LastIndex("/"+prefix, marker); i >= 0 {
			base = prefix[:i-1+len(marker)]
		}
	}
	return lv, k, base
}

func classifySegs(prefix string) (level, source.Key) {
	segs := strings.Split(strings.Trim(prefix, "/"), "/")
	at := -1
	for i, s := range segs {
		if s == "AWSLogs" {
			at = i
		}
	}
	var k source.Key
	if at < 0 {
		return levelAbove, k
	}
	if at > 0 && isOrg(segs[at-1]) {
		k.Org = segs[at-1]
	}
	rest := segs[at+1:]
	if len(rest) == 0 {
		return levelAWSLogs, k
	}
	if isOrg(rest[0]) {
		k.Org = rest[0]
		if rest = rest[1:]; len(rest) == 0 {
			return levelOrg, k
		}
	}
	if !isAccount(rest[0]) {
		return levelInvalid, k
	}
	k.Account = rest[0]
	if rest = rest[1:]; len(rest) == 0 {
		return levelAccount, k
	}
	switch rest[0] {
	case "CloudTrail":
	case "CloudTrail-Digest":
		k.Digest = true
		return levelInvalid, k
	case "CloudTrail-Insight":
		k.Insight = true
		return levelInvalid, k
	default:
		return levelInvalid, k
	}
	if rest = rest[1:]; len(rest) == 0 {
		return levelTrail, k
	}
	k.Region = rest[0]
	return levelRegion, k
}

// start begins at the user's prefix. Below a region folder it is listed
// as given ("…/us-east-1/2025/08/0" is a fine key prefix); above, a prefix
// is taken as a folder.
func (l *lister) start(prefix string) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		if lv, _, base := classify(prefix); lv != levelRegion || base == "" {
			prefix += "/"
		}
	}
	l.spawn(func() error { return l.descend(prefix, 0) })
}

// descend handles a folder above the region level: list its children and
// queue those the layout and the filter allow.
func (l *lister) descend(prefix string, depth int) error {
	lv, k, _ := classify(prefix)
	switch lv {
	case levelInvalid:
		l.prune(reasonFor(k))
		return nil
	case levelRegion:
		_, _, base := classify(prefix)
		if base == "" {
			base = prefix
		}
		return l.region(base, prefix)
	case levelAccount:
		if !l.o.Filter.KeepAccount(k.Account) {
			l.prune("account")
			return nil
		}
		// Only CloudTrail/ holds records; no need to list the account.
		next := prefix + "CloudTrail/"
		l.spawn(func() error { return l.descend(next, depth) })
		return nil
	case levelAbove:
		if depth > l.o.MaxDiscoveryDepth {
			l.prune("too-deep")
			return nil
		}
	}
	kids, err := l.children(prefix)
	if err != nil {
		return err
	}
	if lv == levelAbove {
		kids = l.trailKids(kids)
	}
	for _, kid := range kids {
		if !l.wanted(lv, kid) {
			continue
		}
		d := depth
		if lv == levelAbove {
			d++
		}
		l.spawn(func() error { return l.descend(kid, d) })
	}
	return nil
}

// trailKids narrows a folder above AWSLogs to the trail once AWSLogs/ is
// in sight (keeping Control Tower's o-ORG/ folders beside it); otherwise
// every child is searched, a level deeper each time.
func (l *lister) trailKids(kids []string) []string {
	var trail []string
	found := false
	for _, k := range kids {
		n := lastSegment(k)
		found = found || n == "AWSLogs"
		if n == "AWSLogs" || isOrg(n) {
			trail = append(trail, k)
		}
	}
	if !found {
		return kids
	}
	for range len(kids) - len(trail) {
		l.prune("beside-trail")
	}
	return trail
}

// wanted decides about a child folder from its name alone.
func (l *lister) wanted(parent level, kid string) bool {
	name := lastSegment(kid)
	switch parent {
	case levelAWSLogs:
		if isOrg(name) {
			return true
		}
		if !isAccount(name) {
			l.prune("not-an-account")
			return false
		}
		return true
	case levelOrg:
		if !isAccount(name) {
			l.prune("not-an-account")
			return false
		}
		return true
	case levelTrail:
		if !l.o.Filter.KeepRegion(name) {
			l.prune("region")
			return false
		}
		return true
	}
	return true
}

func reasonFor(k source.Key) string {
	switch {
	case k.Digest:
		return "digest"
	case k.Insight:
		return "insight"
	}
	return "not-cloudtrail"
}

// region lists the objects under a region folder (or a date prefix below
// it), from the first day the window wants to the last.
func (l *lister) region(base, listPrefix string) error {
	_, rk, _ := classify(base)
	if !l.o.Filter.KeepAccount(rk.Account) {
		l.prune("account")
		return nil
	}
	if !l.o.Filter.KeepRegion(rk.Region) {
		l.prune("region")
		return nil
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(listPrefix)}
	f := l.o.Filter
	if !f.Since.IsZero() {
		// Folders are named by delivery day; none before Since's day can
		// hold records at or after Since. StartAfter is exclusive, and
		// "YYYY/MM/DD" sorts before every key inside that day's folder.
		first := base + dayStart(f.Since).Format("2006/01/02")
		if first > listPrefix {
			in.StartAfter = aws.String(first)
		}
	}
	p := s3.NewListObjectsV2Paginator(l.api, in)
	for p.HasMorePages() {
		l.count()
		page, err := p.NextPage(l.ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", l.bucket, listPrefix, err)
		}
		for _, ob := range page.Contents {
			key := aws.ToString(ob.Key)
			k, _ := source.ParseKey(key)
			if l.pastUntil(k) {
				return nil // keys sort by day: the rest is later still
			}
			if reason := skipKey(key, k); reason != "" {
				l.skip(reason)
				continue
			}
			if keep, reason := f.Keep(k); !keep {
				l.skip(reason)
				continue
			}
			l.add(l.object(key, aws.ToInt64(ob.Size), k))
		}
	}
	return nil
}

// pastUntil: the object's delivery day starts after the window could need.
func (l *lister) pastUntil(k source.Key) bool {
	u := l.o.Filter.Until
	return !u.IsZero() && !k.Day.IsZero() && !k.Day.Add(-source.DeliveryLag).Before(u)
}

func skipKey(key string, k source.Key) string {
	name := key[strings.LastIndexByte(key, '/')+1:]
	switch {
	case name == "":
		return "folder-marker"
	case strings.HasPrefix(name, "."):
		return "dot-file"
	case k.Digest:
		return "digest"
	case k.Insight:
		return "insight"
	}
	lower := strings.ToLower(name)
	if !strings.HasSuffix(lower, ".json.gz") && !strings.HasSuffix(lower, ".json") && !strings.HasSuffix(lower, ".jsonl") && !strings.HasSuffix(lower, ".gz") {
		return "extension"
	}
	return ""
}

func (l *lister) add(o source.Object) {
	l.mu.Lock()
	l.objs = append(l.objs, o)
	l.mu.Unlock()
}

func isOrg(s string) bool {
	if len(s) < 4 || !strings.HasPrefix(s, "o-") {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
