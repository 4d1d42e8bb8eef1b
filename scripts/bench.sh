#!/usr/bin/env bash
# End-to-end throughput of `portcullis hunt` against baselines, on the same
# files in the same run:
#   gzip -dc   GNU gzip decompressing every object to /dev/null (one core)
#   floor      the gzip library portcullis uses, decompress only (one core)
#   hunt -w1   portcullis hunt --workers 1
#   hunt -wN   portcullis hunt with all workers
#   naive-json gunzip + encoding/json into maps + filter, one core (Go)
#   jq         jq -c '.Records[] | select(.eventSource=="sso.amazonaws.com")' (if installed)
#   duckdb     DuckDB read_json with typed columns (if installed)
# Prints MB/s of uncompressed JSON and ratios against gzip -dc, and peak RSS.
#
# Usage: scripts/bench.sh [SIZE] [DIR]     e.g. scripts/bench.sh 1GB /tmp/pc-bench
# SIZE is uncompressed JSON (default 1GB); DIR is reused if it already holds a trail.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-1GB}"
dir="${2:-/tmp/portcullis-bench-$size}"
runs="${RUNS:-3}"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT

go build -o "$bin/portcullis" ./cmd/portcullis
go build -o "$bin/gzfloor" ./scripts/gzfloor
go build -o "$bin/naivejson" ./scripts/naivejson

if [ ! -f "$dir/portcullis.yaml" ]; then
  echo "== simulating a $size trail into $dir"
  "$bin/portcullis" simulate --out "$dir" --size "$size" --scenario all --seed 1
fi
files="$dir/files.list"
find "$dir/AWSLogs" -name '*.json.gz' ! -path '*CloudTrail-Digest*' | sort > "$files"
nfiles=$(wc -l < "$files")
raw=$("$bin/gzfloor" "$dir/AWSLogs")
gz=$(xargs -a "$files" stat -c %s | awk '{s+=$1} END{print s}')
echo "== $nfiles objects, $((gz/1000000)) MB gzipped, $((raw/1000000)) MB JSON; $(nproc) CPUs; best of $runs runs"

# best wall seconds and peak RSS (KB) of a command over $runs runs
measure() {
  local best="" peak=0 t m
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$bin/time" "$@" >/dev/null 2>"$bin/err" || { cat "$bin/err" >&2; return 1; }
    read -r t m < "$bin/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$m" -gt "$peak" ] && peak=$m
  done
  echo "$best $peak"
}

declare -A secs mem
run() {
  local name=$1; shift
  read -r s m < <(measure "$@")
  secs[$name]=$s; mem[$name]=$m
  awk -v n="$name" -v s="$s" -v b="$raw" -v m="$m" 'BEGIN{printf "%-10s %7.2f s  %8.1f MB/s  peak %6.1f MB\n", n, s, b/s/1e6, m/1024}'
}

run "gzip -dc" sh -c "xargs -a '$files' cat | gzip -dc"
run "floor" "$bin/gzfloor" "$dir/AWSLogs"
run "hunt -w1" "$bin/portcullis" hunt -q --workers 1 --config "$dir/portcullis.yaml" --format jsonl "$dir/AWSLogs"
run "hunt -wN" "$bin/portcullis" hunt -q --config "$dir/portcullis.yaml" --format jsonl "$dir/AWSLogs"
run "naive-json" "$bin/naivejson" "$dir/AWSLogs"
if command -v jq >/dev/null && [ "${SKIP_JQ:-}" = "" ]; then
  run "jq" sh -c "xargs -a '$files' cat | gzip -dc | jq -c '.Records[] | select(.eventSource==\"sso.amazonaws.com\")'"
fi
if command -v duckdb >/dev/null; then
  run "duckdb" duckdb -c "SELECT count(*) FROM (SELECT unnest(Records) r FROM read_json('$dir/AWSLogs/**/*.json.gz', columns={Records: 'STRUCT(eventSource VARCHAR, eventName VARCHAR, eventTime VARCHAR, eventID VARCHAR)[]'})) WHERE r.eventSource = 'sso.amazonaws.com'"
fi

echo "== ratios (higher is faster; gzip -dc = 1.00)"
for k in floor "hunt -w1" "hunt -wN" naive-json jq duckdb; do
  [ -n "${secs[$k]:-}" ] || continue
  awk -v n="$k" -v a="${secs[gzip -dc]}" -v b="${secs[$k]}" 'BEGIN{printf "%-10s %5.2fx gzip -dc\n", n, a/b}'
done
awk -v a="${secs[floor]}" -v b="${secs[hunt -w1]}" 'BEGIN{printf "hunt -w1 runs at %.0f%% of the floor'"'"'s MB/s\n", 100*a/b}'
