// Package faults is the fault-injection suite: it builds the real
// portcullis binary and runs it as a user would, then breaks things around
// it — kill -9 in the middle of watch's batches (HTTP and SQS), a gzip bomb
// among good trail files, an endpoint that pages forever, a sink that
// hangs — and counts what was lost, doubled or grown. It holds only tests.
//
// CI runs it at small sizes; PORTCULLIS_FAULTS=full runs the sizes the
// README quotes:
//
//	PORTCULLIS_FAULTS=full go test ./internal/faults -v -run . -timeout 30m
package faults
