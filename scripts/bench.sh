#!/usr/bin/env bash
# Every contender on the same files in one run, timed in alternated pairs
# against the decompression floor with the same number of cores:
#   floor -w1/-w2  scripts/gzfloor: klauspost gzip decompression only, the
#                  library portcullis uses, 1 / 2 files at a time
#   hunt -w1/-w2   portcullis hunt --workers 1 / 2 (the built-in v2 pack)
#   gzip -dc       GNU gzip decompressing every object to /dev/null
#   naive-json     scripts/naivejson: gunzip + encoding/json into maps, one core
#   jq             jq -c '.Records[] | select(.eventSource=="sso.amazonaws.com")'
#   duckdb -t1/-t2 scripts/duckjson: DuckDB read_json with typed columns, 1 / 2 threads
# Each contender X runs RUNS times, each run right after a run of its floor
# (floor, X, floor, X …): "of floor" is the median of floor/X over those
# pairs, which a busy machine slows alike; "cpu of floor" is the same with
# user+system CPU seconds, which background load barely moves (but which
# counts work a contender spreads over more cores). Wall times and MB/s are
# medians, peak RSS the largest seen. Missing tools (jq, a cgo toolchain for DuckDB)
# are reported as skipped.
#
# Usage: scripts/bench.sh [SIZE|DIR]   e.g. scripts/bench.sh 1GB, scripts/bench.sh /tmp/trail
# A SIZE simulates a trail (portcullis simulate --size SIZE --scenario all
# --seed 1) into /tmp/portcullis-bench-SIZE, reused when present. A DIR is
# any trail; its portcullis.yaml is used when it has one.
# RUNS (default 3) pairs per contender; ONLY="hunt -w1,floor -w1" limits
# the contenders by name.
set -euo pipefail
cd "$(dirname "$0")/.."
arg="${1:-1GB}"
runs="${RUNS:-3}"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT

go build -o "$bin/portcullis" ./cmd/portcullis
go build -o "$bin/gzfloor" ./scripts/gzfloor
go build -o "$bin/naivejson" ./scripts/naivejson
duck_skip=""
if ! CGO_ENABLED=1 go build -o "$bin/duckjson" ./scripts/duckjson 2>"$bin/duck.err"; then
  duck_skip="skipped: scripts/duckjson does not build here (cgo): $(head -c 200 "$bin/duck.err")"
fi

if [ -d "$arg" ]; then
  dir="$arg"
else
  dir="/tmp/portcullis-bench-$arg"
  if [ ! -d "$dir/AWSLogs" ]; then
    echo "== simulating a $arg trail into $dir"
    "$bin/portcullis" simulate --out "$dir" --size "$arg" --scenario all --seed 1
  fi
fi
cfg=()
[ -f "$dir/portcullis.yaml" ] && cfg=(--config "$dir/portcullis.yaml")
files="$bin/files.list"
find "$dir" -name '*.json.gz' ! -path '*CloudTrail-Digest*' | sort > "$files"
raw=$("$bin/gzfloor" "$dir")
gz=$(xargs -a "$files" stat -c %s | awk '{s+=$1} END{print s}')
"$bin/portcullis" hunt "${cfg[@]}" --format jsonl "$dir" 2>"$bin/hunt.err" >/dev/null || true
echo "== $(date -u +%Y-%m-%d) $dir: $(wc -l < "$files") objects, $((gz/1000000)) MB gzipped, $((raw/1000000)) MB JSON; $(nproc) CPUs, $runs pairs each"
grep -E '^(scanned|findings)' "$bin/hunt.err" | sed 's/^/   /'

# time NAME CMD...: one run; appends "wall rss_kb cpu" to $bin/NAME.times.
time1() {
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$bin/t" "$@" >/dev/null 2>"$bin/err" || { echo "$name failed:" >&2; cat "$bin/err" >&2; return 1; }
  awk '{print $1, $2, $3+$4}' "$bin/t" >> "$bin/$name.times"
}

declare -A cmd floor_of
add() { # NAME FLOOR CMD...
  local name=$1 fl=$2; shift 2
  cmd[$name]="$(printf '%q ' "$@")"
  floor_of[$name]=$fl
}
add "floor -w1" "" "$bin/gzfloor" -workers 1 "$dir"
add "floor -w2" "" "$bin/gzfloor" -workers 2 "$dir"
order=("hunt -w1" "hunt -w2" "gzip -dc" "naive-json" "jq" "duckdb -t1" "duckdb -t2")
add "hunt -w1" "floor -w1" "$bin/portcullis" hunt -q --workers 1 "${cfg[@]}" --format jsonl "$dir"
add "hunt -w2" "floor -w2" "$bin/portcullis" hunt -q --workers 2 "${cfg[@]}" --format jsonl "$dir"
add "gzip -dc" "floor -w1" sh -c "xargs -a '$files' cat | gzip -dc"
add "naive-json" "floor -w1" "$bin/naivejson" "$dir"
declare -A skipped
if command -v jq >/dev/null; then
  add "jq" "floor -w1" sh -c "xargs -a '$files' cat | gzip -dc | jq -c '.Records[] | select(.eventSource==\"sso.amazonaws.com\")'"
else
  skipped[jq]="skipped: jq is not installed"
fi
if [ -z "$duck_skip" ]; then
  add "duckdb -t1" "floor -w1" "$bin/duckjson" -threads 1 "$dir"
  add "duckdb -t2" "floor -w2" "$bin/duckjson" -threads 2 "$dir"
else
  skipped["duckdb -t1"]=$duck_skip
  skipped["duckdb -t2"]=$duck_skip
fi

wanted() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }

for name in "${order[@]}"; do
  [ -n "${cmd[$name]:-}" ] && wanted "$name" || continue
  fl=${floor_of[$name]}
  for _ in $(seq "$runs"); do
    eval "time1 \"$fl\" ${cmd[$fl]}"
    eval "time1 \"$name\" ${cmd[$name]}"
    # this pair's floor/contender ratios: wall, cpu
    paste -d' ' <(tail -n1 "$bin/$fl.times") <(tail -n1 "$bin/$name.times") | awk '{print $1/$4, $3/$6}' >> "$bin/$name.pairs"
  done
done

median() { sort -g | awk '{a[NR]=$1} END{if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
row() { # NAME: median wall, MB/s, peak RSS, of floor (wall, cpu), vs gzip
  local name=$1 w m p="-" c="-"
  w=$(cut -d' ' -f1 "$bin/$name.times" | median)
  m=$(cut -d' ' -f2 "$bin/$name.times" | sort -n | tail -n1)
  if [ -f "$bin/$name.pairs" ]; then
    p=$(cut -d' ' -f1 "$bin/$name.pairs" | median | awk '{printf "%.0f%%", 100*$1}')
    c=$(cut -d' ' -f2 "$bin/$name.pairs" | median | awk '{printf "%.0f%%", 100*$1}')
  fi
  awk -v n="$name" -v w="$w" -v b="$raw" -v m="$m" -v p="$p" -v c="$c" -v g="${gzw:-0}" \
    'BEGIN{printf "%-11s %7.2f s %8.0f MB/s %6.1f MiB %9s %9s", n, w, b/w/1e6, m/1024, p, c; if (g > 0) printf " %7.2fx", g/w; printf "\n"}'
}
echo "== medians (MB/s of uncompressed JSON; of floor: median floor/contender wall over alternated pairs, same core count)"
printf '%-11s %9s %13s %10s %9s %9s %8s\n' contender wall speed "peak RSS" "of floor" "cpu of fl" "vs gzip"
gzw=""
[ -f "$bin/gzip -dc.times" ] && gzw=$(cut -d' ' -f1 "$bin/gzip -dc.times" | median)
for name in "floor -w1" "floor -w2" "${order[@]}"; do
  if [ -f "$bin/$name.times" ]; then
    row "$name"
  elif [ -n "${skipped[$name]:-}" ]; then
    printf '%-11s %s\n' "$name" "${skipped[$name]}"
  fi
done
