#!/usr/bin/env bash
# A 5 s trace of the demo on the wire: identity, gzip and zstd, each asked as a client does
# (Accept-Encoding), decoded and checked chunk by chunk by benchmarks/first-capture-client.java;
# then the CPU that the servlet's own encoders spend on the identity trace (benchmarks/wire-cpu.java).
# Medians of SAMPLES later traces (not the JVM's first) of one demo JVM under --load, per JDK.
#
#   benchmarks/wire.sh
#   SAMPLES=5 JDKS=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/wire.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLES=${SAMPLES:-3}
PORT=${PORT:-18283}
JDKS=${JDKS:-"/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64"}
JAR=examples/target/livetrace-example.jar

[ -f "$JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
work=$(mktemp -d)
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
javac -cp "$JAR" -d "$work" benchmarks/first-capture-client.java benchmarks/wire-cpu.java

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
url="http://127.0.0.1:$PORT/debug/pprof/trace?seconds=5"
for jdk in $JDKS; do
  "$jdk/bin/java" -jar "$JAR" --port "$PORT" --load >"$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/menu" && break
    sleep 0.05
  done
  "$jdk/bin/java" -cp "$work:$JAR" FirstCaptureClient "$url" >/dev/null # the JVM's first trace
  : >"$work/identity"; : >"$work/gzip"; : >"$work/zstd"
  for _ in $(seq 1 "$SAMPLES"); do
    for coding in identity gzip zstd; do
      arg=$coding; [ "$coding" = identity ] && arg=""
      "$jdk/bin/java" -cp "$work:$JAR" FirstCaptureClient "$url" $arg >>"$work/$coding"
    done
  done
  curl -sf -o "$work/trace.jfr" "$url"
  kill "$demo_pid" && wait "$demo_pid" 2>/dev/null || true
  demo_pid=""
  echo "== $("$jdk/bin/java" -version 2>&1 | head -1), $SAMPLES samples; medians (bytes)"
  printf '%-9s %10s %12s\n' coding wire trace-bytes
  for coding in identity gzip zstd; do
    if grep -q false "$work/$coding"; then echo "a $coding trace did not end with its final chunk" >&2; fi
    printf '%-9s %10s %12s\n' "$coding" "$(awk '{ print $4 }' "$work/$coding" | median)" "$(awk '{ print $5 }' "$work/$coding" | median)"
  done
  "$jdk/bin/java" -cp "$work:$JAR" WireCpu "$work/trace.jfr" 30 2>&1 | grep -v '^WARNING'
done
