#!/usr/bin/env bash
# The first capture, measured from outside as a user meets it: for each JDK, a fresh demo JVM per
# sample (the Jetty coffee shop with customers ordering), then
#   cold       the first trace of that JVM, asked for as soon as the demo answers HTTP
#   cold+3s    the same, asked for 3 s later (a pod that has been up a little while), in its own JVM
#   no-warm-up the first trace of a JVM started with --no-warm-up: what the warm-up saves
#   warm       a later trace of the same JVM
#   gzip       a later trace with Accept-Encoding: gzip, for its size on the wire
#   zstd       the same with Accept-Encoding: zstd
# and prints medians: time to the status line, to the first complete JFR chunk, to the last byte
# (seconds=5), and bytes on the wire. BUSY=2 adds two busy loops that take both cores meanwhile.
#
#   benchmarks/first-capture.sh                       # 5 samples, JDK 17 and 25
#   SAMPLES=7 BUSY=2 benchmarks/first-capture.sh
#   JDKS=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/first-capture.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLES=${SAMPLES:-5}
BUSY=${BUSY:-0}
PORT=${PORT:-18282}
JDKS=${JDKS:-"/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64"}
JAR=examples/target/livetrace-example.jar

[ -f "$JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
work=$(mktemp -d)
demo_pid=""
busy_pids=()
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
javac -cp "$JAR" -d "$work" benchmarks/first-capture-client.java # zstd-jni's decoder is in the demo's jar
client() { java -cp "$work:$JAR" FirstCaptureClient "$@"; }

for _ in $(seq 1 "$BUSY"); do
  (while :; do :; done) &
  busy_pids+=($!)
done

start_demo() { # JDK [FLAGS...]
  local jdk=$1
  shift
  "$jdk/bin/java" -jar "$JAR" --port "$PORT" --load "$@" >"$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/menu" && return 0
    sleep 0.05
  done
  echo "the demo did not start" >&2
  exit 1
}
stop_demo() {
  kill "$demo_pid" && wait "$demo_pid" 2>/dev/null || true
  demo_pid=""
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }' "$2" | median; }

url="http://127.0.0.1:$PORT/debug/pprof/trace?seconds=5"
for jdk in $JDKS; do
  version=$("$jdk/bin/java" -version 2>&1 | head -1)
  : >"$work/cold"; : >"$work/cold3"; : >"$work/no-warm-up"; : >"$work/warm"; : >"$work/gzip"; : >"$work/zstd"
  for i in $(seq 1 "$SAMPLES"); do
    start_demo "$jdk"
    client "$url" >>"$work/cold"
    client "$url" >>"$work/warm"
    client "$url" gzip >>"$work/gzip"
    client "$url" zstd >>"$work/zstd"
    stop_demo
    start_demo "$jdk"
    sleep 3
    client "$url" >>"$work/cold3"
    stop_demo
    start_demo "$jdk" --no-warm-up
    client "$url" >>"$work/no-warm-up"
    stop_demo
  done
  echo "== $version, $SAMPLES samples, $BUSY busy loops; medians (ms, bytes)"
  printf '%-10s %10s %12s %10s %12s %12s\n' trace status first-chunk last-byte wire trace-bytes
  for m in cold cold3 no-warm-up warm gzip zstd; do
    printf '%-10s %10s %12s %10s %12s %12s\n' "$m" "$(col 1 "$work/$m")" "$(col 2 "$work/$m")" "$(col 3 "$work/$m")" "$(col 4 "$work/$m")" "$(col 5 "$work/$m")"
  done
  if grep -q false "$work/cold" "$work/warm" "$work/gzip" "$work/zstd" "$work/cold3" "$work/no-warm-up"; then
    echo "some traces did not end with their final chunk:" >&2
    grep -H false "$work"/cold "$work"/warm "$work"/gzip "$work"/zstd "$work"/cold3 "$work"/no-warm-up >&2 || true
  fi
done
