package collect

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

// HistorySpec names CloudTrail's 90-day event history where events are
// read from paths (snapshot --from events, reconcile and posture
// --events): "event-history" for the region of the AWS options, or
// "event-history:REGION[,REGION…]". A file of that name is ./event-history.
const HistorySpec = "event-history"

// HistoryHelp documents the spec for flag help texts.
const HistoryHelp = "event-history[:REGION,…] for CloudTrail's 90-day event history (LookupEvents)"

// HistoryRegions reports whether spec names the event history, and the
// regions it lists (none: the AWS options' region).
func HistoryRegions(spec string) ([]string, bool) {
	if spec == HistorySpec {
		return nil, true
	}
	rest, ok := strings.CutPrefix(spec, HistorySpec+":")
	if !ok {
		return nil, false
	}
	var regions []string
	for _, r := range strings.Split(rest, ",") {
		if r = strings.TrimSpace(r); r != "" {
			regions = append(regions, r)
		}
	}
	return regions, true
}

// History says how to read the event history.
type History struct {
	// AWS gives the default region, profile, endpoint (BaseEndpoint, for
	// CloudTrail too), credentials and user agent.
	AWS awscollect.Options
	// Rate is LookupEvents requests per second per region; default
	// eventhistory.Rate.
	Rate float64
	// Progress hears the counts as the read goes (may be nil).
	Progress func(eventhistory.Stats)
}

// options builds the reader's options for one spec's regions.
func (h History) options(ctx context.Context, regions []string, in []cloudtrail.Interest, since, until time.Time) (eventhistory.Options, error) {
	aws := h.AWS
	if len(regions) > 0 {
		aws.Region = regions[0]
	}
	cfg, err := awscollect.LoadConfig(ctx, aws)
	if err != nil {
		return eventhistory.Options{}, fmt.Errorf("event history: %w", err)
	}
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	if until.IsZero() {
		until = time.Now()
	}
	return eventhistory.Options{
		Regions: regions, Client: eventhistory.NewClient(cfg, ""), Interests: in,
		Since: since, Until: until, Rate: h.Rate, Progress: h.Progress,
	}, nil
}
