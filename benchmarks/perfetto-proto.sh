#!/usr/bin/env bash
# Perfetto's TrackEvent protobuf beside the JSON that `livetrace export` writes (issue 18, item 5):
# exports a trace whole and one timeline window of it, converts each JSON into the same events as
# a Perfetto protobuf trace (benchmarks/perfetto-proto.java), checks the protobuf against the JSON,
# and prints the sizes (plain and gzip -6) and the times, the range of REPS runs of each.
#
#   benchmarks/perfetto-proto.sh [TRACE [FROM TO]]
#
# TRACE defaults to the 300 MB trace that benchmarks/cli-summary.sh records
# ($BENCH_DIR/summary-300mb.jfr); FROM and TO to 13.6 ms 4.9 s into it, one of the windows (of at most
# 50,000 events drawn) that `livetrace view` listed at /timeline for the trace measured in the README;
# for another trace, take one of its own. REPS defaults to 3. PROTOBUF_VERSION (4.36.2) selects
# protobuf-java, fetched by Maven when it is not in ~/.m2. Every program runs with -Xmx256m; the
# protobuf is written from the JSON, so its time is that of reading the JSON and writing the
# protobuf ("JSON read" times the reading alone).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/livetrace-bench}
trace=${1:-$bench_dir/summary-300mb.jfr}
from=${2:-4913379198ns}
to=${3:-4926991250ns}
reps=${REPS:-3}
protobuf_version=${PROTOBUF_VERSION:-4.36.2}
jar=$root/cli/target/livetrace.jar
protobuf_jar=$HOME/.m2/repository/com/google/protobuf/protobuf-java/$protobuf_version/protobuf-java-$protobuf_version.jar

if [[ ! -x /usr/bin/time ]]; then
  echo "needs /usr/bin/time (apt-get install time) for wall time and peak RSS" >&2
  exit 1
fi
if [[ ! -f $trace ]]; then
  echo "no trace $trace: run benchmarks/cli-summary.sh first, or name a trace" >&2
  exit 1
fi
cd "$root"
[[ -f $jar ]] || ./mvnw -B -q -pl cli -am package -DskipTests >&2
[[ -f $protobuf_jar ]] || ./mvnw -B -q dependency:get -Dartifact="com.google.protobuf:protobuf-java:$protobuf_version" -Dtransitive=false >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/perfetto-proto.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp="$jar:$protobuf_jar" # Jackson, to read the JSON, comes from the CLI's jar
javac -cp "$cp" -d "$work" benchmarks/perfetto-proto.java
run=(java -Xmx256m -cp "$work:$cp" PerfettoProto)

# timed NAME COMMAND...: runs it REPS times, keeping "wall min-max s (CPU min-max s), peak RSS MB" in
# result[NAME]: on a shared machine the CPU time (user + system) varies less than the wall time.
declare -A result
timed() {
  local name=$1 kb=0
  shift
  : >"$work/$name.times"
  for ((i = 0; i < reps; i++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/$name.out"
    read -r wall user sys k <"$work/time"
    echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" >>"$work/$name.times"
    if ((k > kb)); then kb=$k; fi
  done
  result[$name]=$(awk -v kb="$kb" '
    NR == 1 || $1 < w0 {w0 = $1} NR == 1 || $1 > w1 {w1 = $1}
    NR == 1 || $2 < c0 {c0 = $2} NR == 1 || $2 > c1 {c1 = $2}
    END {printf "%.1f-%.1f s (CPU %.1f-%.1f s), %d MB", w0, w1, c0, c1, kb / 1024}' "$work/$name.times")
}
size() { stat -c %s "$1"; }
gzipped() { gzip -6 -c "$1" | wc -c; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1048576}'; }

printf 'trace %s (%s); %d runs each; %s cores, load %s; %s\n' "$trace" "$(mb "$(size "$trace")")" "$reps" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(java -version 2>&1 | head -1)"
for part in whole window; do
  window=()
  [[ $part == window ]] && window=(--from "$from" --to "$to")
  json=$work/$part.json proto=$work/$part.pftrace
  timed "$part-export" java -Xmx256m -jar "$jar" export "$trace" "${window[@]}" -o "$json"
  timed "$part-read" "${run[@]}" parse "$json"
  timed "$part-convert" "${run[@]}" convert "$json" "$proto"
  "${run[@]}" check "$json" "$proto" >"$work/$part.check" || { cat "$work/$part.check"; exit 1; }
  "${run[@]}" convert "$json" "$work/$part-inline.pftrace" --no-interning >/dev/null
  echo
  echo "$part: $(head -1 "$work/$part-export.out")"
  sed -n 2p "$work/$part-convert.out"
  tail -1 "$work/$part.check"
  printf '  %-34s %10s %10s %9s   %s\n' "" size "gzip -6" "JSON / it" "wall time (CPU time), peak RSS"
  for f in "$json:JSON (export)" "$proto:protobuf (from the JSON)" "$work/$part-inline.pftrace:protobuf, nothing interned"; do
    label=${f#*:} bytes=$(size "${f%%:*}") gz=$(gzipped "${f%%:*}")
    case $label in
      JSON*) t=${result[$part-export]} ;;
      "protobuf (from"*) t="${result[$part-convert]}; JSON read alone ${result[$part-read]}" ;;
      *) t="" ;;
    esac
    printf '  %-34s %10s %10s %8.2fx   %s\n' "$label" "$(mb "$bytes")" "$(mb "$gz")" \
      "$(awk -v a="$(size "$json")" -v b="$bytes" 'BEGIN {print a / b}')" "$t"
  done
done
