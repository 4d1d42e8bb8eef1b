package watch

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// LambdaHandler returns a handler for an EventBridge rule target
// (lambda.Start(watch.LambdaHandler(w))). Each invocation commits its event
// and delivers pending alerts before returning, since a Lambda is frozen
// between invocations. An error makes Lambda retry the invocation; dedupe
// by event id keeps retries from raising duplicate findings. State lives in
// the store, so point it at persistent storage (EFS) to keep correlation
// windows across cold starts.
func LambdaHandler(w *Watcher) func(ctx context.Context, ev events.CloudWatchEvent) error {
	return func(ctx context.Context, ev events.CloudWatchEvent) error {
		if len(ev.Detail) == 0 {
			return fmt.Errorf("watch: EventBridge event %s (%s) has no detail", ev.ID, ev.DetailType)
		}
		e, err := cloudtrail.DecodeFast(ev.Detail, cloudtrail.Origin{File: "eventbridge event " + ev.ID})
		if err != nil {
			// Redelivering a malformed event cannot fix it: log, don't retry.
			w.log.Error("lambda: undecodable event", "id", ev.ID, "detail-type", ev.DetailType, "err", err)
			return nil
		}
		if _, err := w.Ingest(ctx, []*cloudtrail.Event{e}); err != nil {
			w.health.Failure(err)
			return err
		}
		w.health.Success()
		if _, err := w.DeliverPending(ctx); err != nil {
			return fmt.Errorf("watch: deliver alerts: %w", err)
		}
		return nil
	}
}
