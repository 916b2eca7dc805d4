#!/usr/bin/env bash
# What the warm-up costs when nobody traces: Spring Boot's start-up time with and without it
# (the starter warms up once the application is ready, so it should not move), and the Jetty
# demo's throughput and p99 under load with and without it, no trace running (JFR's threads stay
# once it is initialized; they must be idle). Modes alternate so that drift hits both alike.
#
#   benchmarks/warm-up-cost.sh              # 5 Boot starts per mode, 3 rounds of 20 s per mode
#   STARTS=9 ROUNDS=5 benchmarks/warm-up-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."

STARTS=${STARTS:-5}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
PORT=${PORT:-18484}
BOOT_JAR=examples/spring-boot/target/livetrace-spring-example.jar
JETTY_JAR=examples/target/livetrace-example.jar

if ! command -v wrk >/dev/null; then
  (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
fi
[ -f "$BOOT_JAR" ] || ./mvnw -B -q -pl examples/spring-boot -am package -DskipTests
[ -f "$JETTY_JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== Spring Boot demo: start-up time as Boot reports it (Started ... in X seconds), $STARTS starts per mode"
: >"$work/boot-on"; : >"$work/boot-off"
for _ in $(seq 1 "$STARTS"); do
  for mode in on off; do
    warm=true; [ "$mode" = off ] && warm=false
    java -jar "$BOOT_JAR" --server.port="$PORT" --livetrace.warm-up="$warm" >"$work/boot.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
      grep -q "Started .* in" "$work/boot.log" && break
      sleep 0.1
    done
    grep -o "Started .* in [0-9.]* seconds" "$work/boot.log" | awk '{ print $(NF-1) }' >>"$work/boot-$mode"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
echo "warm-up on:  median $(median <"$work/boot-on") s"
echo "warm-up off: median $(median <"$work/boot-off") s"

to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }'
}
echo "== Jetty demo, /menu under wrk (32 connections), no trace running, $ROUNDS rounds of ${SECONDS_PER_RUN}s per mode"
: >"$work/load-on"; : >"$work/load-off"
for _ in $(seq 1 "$ROUNDS"); do
  for mode in on off; do
    flag=""; [ "$mode" = off ] && flag="--no-warm-up"
    java -Xms512m -Xmx512m -jar "$JETTY_JAR" --port "$PORT" $flag >"$work/demo.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/menu" && break; sleep 0.1; done
    sleep 5 # the warm-up is done by now; what is measured is what stays
    wrk -t 1 -c 32 -d 3s "http://127.0.0.1:$PORT/menu" >/dev/null # JIT warm-up, both modes alike
    out=$(wrk --latency -t 1 -c 32 -d "${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT/menu")
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)" >>"$work/load-$mode"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
for mode in on off; do
  echo "warm-up $mode: median $(awk '{print $1}' "$work/load-$mode" | median) req/s, p99 $(awk '{print $2}' "$work/load-$mode" | median) ms"
done
