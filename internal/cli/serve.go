package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/serve"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// serveTokenEnv names the variable that can hold serve's access token.
const serveTokenEnv = "PORTCULLIS_SERVE_TOKEN"

type serveFlags struct {
	storePath, findingsPath, snapshot, configPath string
	reconcilePath, posturePath                    string
	listen, tlsCert, tlsKey, tokenFile            string
	aws                                           awsFlags
}

func (a *App) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--store FILE] [--findings FILE.jsonl] [--snapshot SPEC] [--config FILE] [--listen 127.0.0.1:8443]",
		Short: "Web view: triage findings, timelines, the access graph, drift and posture, in a browser",
		Long: `serve starts a web view on loopback: findings (filtered and paged on the
server, with acknowledge / resolve written to the store), a finding's events,
the actor's other findings and the containment plan contain would build (a dry
run: nothing is applied from the browser), timelines of one actor or principal,
the access graph around a user, group, permission set or account with admin
paths and blast radius, and the last reconcile and posture reports.

It prints a login link with a random access token (or uses $` + serveTokenEnv + `
or --token-file); the token is exchanged for a session cookie, or sent as
Authorization: Bearer TOKEN to the JSON API under /api/v1/. A non-loopback
--listen needs --tls-cert and --tls-key. Everything is embedded: it works
offline.`,
		Example: `  portcullis serve --store portcullis.db --snapshot snapshot.json --config portcullis.yaml
  portcullis hunt --format jsonl ./AWSLogs > findings.jsonl && portcullis serve --findings findings.jsonl
  portcullis serve --snapshot snapshot.json --reconcile reconcile.json --posture posture.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.storePath, "store", "", "watch store (SQLite) with findings; acknowledge / resolve write to it; never created")
	fl.StringVar(&f.findingsPath, "findings", "", "hunt output (JSON lines, array or object), read-only")
	fl.StringVar(&f.snapshot, "snapshot", "", "Identity Center state for the access explorer and containment plans: "+modelSpecHelp)
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml (sensitive accounts, privileged groups, admins)")
	fl.StringVar(&f.reconcilePath, "reconcile", "", "output of portcullis reconcile --format json")
	fl.StringVar(&f.posturePath, "posture", "", "output of portcullis posture --format json")
	fl.StringVar(&f.listen, "listen", serve.DefaultListen, "address to serve on (loopback unless --tls-cert/--tls-key)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM) for serving over HTTPS")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the access token (default: $"+serveTokenEnv+", else a random one)")
	f.aws.register(cmd)
	return cmd
}

func (a *App) runServe(ctx context.Context, f serveFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	loopback, err := serve.CheckListen(f.listen, f.tlsCert != "")
	if err != nil {
		return err
	}
	token, err := a.serveToken(f.tokenFile)
	if err != nil {
		return err
	}
	o := serve.Options{Token: token, TLS: f.tlsCert != "", Loopback: loopback, Now: a.Now,
		Logf: func(format string, v ...any) { fmt.Fprintf(a.Stderr, "portcullis: serve: "+format+"\n", v...) }}
	if o.Config, err = a.loadConfig(f.configPath); err != nil {
		return err
	}
	if f.storePath != "" {
		st, err := store.Open(ctx, f.storePath, store.MustExist())
		if err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		defer st.Close()
		o.Sources = append(o.Sources, serve.Source{Name: "store", Label: f.storePath, Store: st, Writable: true})
	}
	if f.findingsPath != "" {
		st, cleanup, err := importFindings(ctx, f.findingsPath)
		if err != nil {
			return err
		}
		defer cleanup()
		o.Sources = append(o.Sources, serve.Source{Name: "findings", Label: f.findingsPath, Store: st})
	}
	if f.snapshot != "" {
		if o.Model, err = a.loadModel(ctx, f.snapshot, f.aws); err != nil {
			return fmt.Errorf("--snapshot: %w", err)
		}
		o.ModelName = f.snapshot
	}
	if f.reconcilePath != "" {
		if o.Reconcile, err = serve.LoadReconcile(f.reconcilePath); err != nil {
			return fmt.Errorf("--reconcile: %w", err)
		}
	}
	if f.posturePath != "" {
		if o.Posture, err = serve.LoadPosture(f.posturePath); err != nil {
			return fmt.Errorf("--posture: %w", err)
		}
	}
	if len(o.Sources) == 0 && o.Model == nil && o.Reconcile == nil && o.Posture == nil {
		return fmt.Errorf("nothing to show: give --store, --findings, --snapshot, --reconcile and/or --posture")
	}
	srv, err := serve.New(o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", f.listen, err)
	}
	scheme := "http"
	if o.TLS {
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(a.Stderr, "portcullis: serving on %s/ (Ctrl-C stops)\n", base)
	fmt.Fprintf(a.Stderr, "portcullis: open %s/login?token=%s\n", base, token)
	err = srv.Serve(ctx, ln, f.tlsCert, f.tlsKey)
	fmt.Fprintln(a.Stderr, "portcullis: serve stopped")
	if err != nil {
		return err
	}
	return partialExit(o.Model)
}

// serveToken reads --token-file, else $PORTCULLIS_SERVE_TOKEN, else makes one.
func (a *App) serveToken(path string) (string, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if len(t) < 16 {
			return "", fmt.Errorf("--token-file %s: the token must be at least 16 characters", path)
		}
		return t, nil
	}
	if t := strings.TrimSpace(a.Getenv(serveTokenEnv)); t != "" {
		if len(t) < 16 {
			return "", fmt.Errorf("$%s: the token must be at least 16 characters", serveTokenEnv)
		}
		return t, nil
	}
	return serve.NewToken()
}

// importFindings loads a hunt output file into a throwaway store, so the
// same SQL filters and pages it; the file itself is only read.
func importFindings(ctx context.Context, path string) (*store.Store, func(), error) {
	fs, err := respond.LoadFindings(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--findings: %w", err)
	}
	dir, err := os.MkdirTemp("", "portcullis-serve-")
	if err != nil {
		return nil, nil, fmt.Errorf("--findings: %w", err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "findings.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("--findings: %w", err)
	}
	cleanup := func() { st.Close(); os.RemoveAll(dir) }
	if _, err := st.PutFindings(ctx, fs); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("--findings %s: %w", path, err)
	}
	return st, cleanup, nil
}
