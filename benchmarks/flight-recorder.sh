#!/usr/bin/env bash
# The flight recorder under the heaviest load the demo can take: wrk on /order with many
# connections (every order is a task with regions on barista threads and logs, the demo's busiest
# event stream), while benchmarks/flight-recorder-workload.java, which runs the demo in its own
# JVM, measures the JFR repository on disk, resident memory, the time to write a window and how
# far back it reaches, and the time from a slow task's end to its snapshot in the listing. A second
# run gives a budget of 1 MiB, which the demo's events outgrow in a few seconds (maxBytes wins over
# minAge, and bounds the disk); a third, without a flight recorder, the memory and disk baseline.
#
#   benchmarks/flight-recorder.sh                 # 60 s per run, 32 connections
#   SECONDS_PER_RUN=120 CONNECTIONS=64 benchmarks/flight-recorder.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18182}
. benchmarks/common.sh

work=$(mktemp -d)
shop_pid=""
cleanup() {
  [ -n "$shop_pid" ] && kill "$shop_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# run LABEL [--no-flight-recorder | --max-bytes N]
run() {
  java -Xms512m -Xmx512m -cp "$JAR" benchmarks/flight-recorder-workload.java "$PORT" "$SECONDS_PER_RUN" "${@:2}" >"$work/$1.out" 2>&1 &
  shop_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^ready$' "$work/$1.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^ready$' "$work/$1.out" || { echo "flight-recorder: the workload did not start: $(cat "$work/$1.out")" >&2; exit 1; }
  local requests
  requests=$(wrk -t 1 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT/order?drink=latte" | awk '/Requests\/sec/ {print $2}')
  wait "$shop_pid" || { echo "flight-recorder: the workload failed: $(cat "$work/$1.out")" >&2; exit 1; }
  shop_pid=""
  echo "== $1: $requests orders/s, $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
  grep -v '^ready$' "$work/$1.out"
}

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc)"
run "flight recorder"
run "flight recorder, maxBytes 1 MiB" --max-bytes 1048576
run "no flight recorder" --no-flight-recorder
