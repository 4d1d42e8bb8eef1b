package watch

import (
	"context"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// alertBatch bounds how many findings one delivery round takes.
const alertBatch = 200

// poke wakes the alert loop without blocking.
func (w *Watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// DeliverPending sends every finding waiting in the store's outbox and
// marks it done (delivered, or dead-lettered by its sink). It returns how
// many it handled. If ctx ends first the rest stays pending.
func (w *Watcher) DeliverPending(ctx context.Context) (int, error) {
	total := 0
	for {
		fs, err := w.st.PendingAlerts(ctx, alertBatch)
		if err != nil || len(fs) == 0 {
			return total, err
		}
		if w.alerts != nil {
			if err := w.alerts.Deliver(ctx, fs); err != nil {
				if ctx.Err() != nil {
					return total, ctx.Err()
				}
				// The sinks dead-lettered what they could not send.
				w.log.Warn("alert delivery failed", "findings", len(fs), "err", err)
			}
		}
		ids := make([]string, len(fs))
		for i, f := range fs {
			ids[i] = f.ID
		}
		if err := w.st.MarkAlerted(context.WithoutCancel(ctx), ids); err != nil {
			return total, err
		}
		total += len(fs)
		logDelivered(w, fs)
	}
}

func logDelivered(w *Watcher, fs []finding.Finding) {
	for _, f := range fs {
		w.log.Info("finding", "id", f.ID, "rule", f.Rule, "severity", f.Severity.String())
	}
}

// Run delivers alerts as findings are committed and prunes old processed
// ids, until ctx ends. Run it beside ServeHTTP / ConsumeSQS.
func (w *Watcher) Run(ctx context.Context) error {
	retry := time.NewTicker(5 * time.Second) // picks up alerts a failed round left
	defer retry.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	w.pruneProcessed(ctx)
	for {
		if _, err := w.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("deliver pending alerts", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-retry.C:
		case <-prune.C:
			w.pruneProcessed(ctx)
		}
	}
}

func (w *Watcher) pruneProcessed(ctx context.Context) {
	n, err := w.st.PruneProcessed(ctx, time.Now().Add(-w.retention))
	if err != nil {
		w.log.Error("prune processed ids", "err", err)
		return
	}
	if n > 0 {
		w.log.Info("pruned processed ids", "count", n)
	}
}
