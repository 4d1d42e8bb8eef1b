#!/usr/bin/env bash
# Runs every go test -fuzz target in the module for a short time each.
# Usage: scripts/fuzz.sh [DURATION]   (default 30s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-30s}"
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $t ($dur)"
    if ! go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$dur" >/tmp/fuzz.$$.log 2>&1; then
      cat /tmp/fuzz.$$.log
      status=1
    else
      tail -1 /tmp/fuzz.$$.log
    fi
  done
done
rm -f /tmp/fuzz.$$.log
exit $status
