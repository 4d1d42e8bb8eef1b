// Command portcullis is detection and response for AWS IAM Identity Center.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/portcullis-sec/portcullis/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.OSApp().Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
