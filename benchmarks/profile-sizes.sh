#!/usr/bin/env bash
# Size and conversion time of each /debug/pprof profile of the busy Jetty demo (--load), in each
# format, and the time `livetrace pprof` takes for each type on a 30 s trace of the same demo.
#
#   benchmarks/profile-sizes.sh              # 30 s profiles
#   SECONDS_PER_PROFILE=10 benchmarks/profile-sizes.sh
#
# For pprof, html and collapsed the recorded kinds run at once (each kind has its own slot), started
# 3 s apart so that their conversions do not overlap, except profile and mutex, which async-profiler
# records one at a time; for jfr one after the other, since a recording holds the events of every
# recording that runs with it (JFR settings are a union).
# "after" is the answer's time beyond the recording's: stop, dump, read, convert and send, on
# loopback (curl's time_total - seconds).
# Sizes are the bytes of the answer: pprof is gzipped (as Go serves it); html, collapsed and jfr
# as sent to a client that does not ask for gzip.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_PROFILE=${SECONDS_PER_PROFILE:-30}
PORT=${PORT:-18182}
JAR=examples/target/livetrace-example.jar
CLI=cli/target/livetrace.jar

[ -f "$JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
[ -f "$CLI" ] || ./mvnw -B -q -pl cli -am package -DskipTests

work=$(mktemp -d)
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

java -Xms512m -Xmx512m -jar "$JAR" --port "$PORT" --load >"$work/demo.log" 2>&1 &
demo_pid=$!
base="http://127.0.0.1:$PORT/debug/pprof"
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "$base/" && break
  sleep 0.1
done
curl -sf -o /dev/null "$base/profile?seconds=1" # JFR's first recording and the reader's classes

human() { numfmt --to=iec --suffix=B --format='%.1f' "$1"; }

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); ${SECONDS_PER_PROFILE} s profiles of the demo under --load"
printf '%-8s %-10s %10s %10s %10s\n' kind format size samples after
for format in pprof html collapsed jfr; do
  pids=()
  delay=0
  for kind in profile allocs heap mutex block; do
    (
      sleep "$delay"
      curl -sf -o "$work/$kind.$format" -w '%{time_total}\n' \
        "$base/$kind?seconds=$SECONDS_PER_PROFILE&format=$format" >"$work/$kind.$format.time"
    ) &
    # profile and mutex share the JVM's one async-profiler session (where it loads): one after the other.
    if [ "$format" = jfr ] || [ "$kind" = profile ] || [ "$kind" = mutex ]; then
      wait "$!" || { echo "profile-sizes: a $format $kind profile failed" >&2; exit 1; }
    else
      pids+=($!)
      delay=$((delay + 3))
    fi
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    wait "$pid" || { echo "profile-sizes: a $format profile failed" >&2; exit 1; }
  done
  for kind in profile allocs heap mutex block; do
    total=$(cat "$work/$kind.$format.time")
    after=$(echo "$total - $SECONDS_PER_PROFILE" | bc -l)
    samples=-
    if [ "$format" = pprof ]; then
      # The first sample type's total: samples, or contentions.
      samples=$(go tool pprof -raw "$work/$kind.$format" 2>/dev/null |
        awk '/^Samples:/ {s=1; getline; next} /^Locations/ {s=0} s && /:/ {split($0, a, ":"); split(a[1], v, " "); n += v[1]} END {print n + 0}')
    fi
    printf '%-8s %-10s %10s %10s %9.2fs\n' "$kind" "$format" "$(human "$(stat -c %s "$work/$kind.$format")")" "$samples" "$after"
  done
done
for debug in 0 1 2; do
  curl -sf -o "$work/goroutine.$debug" -w '%{time_total}\n' "$base/goroutine?debug=$debug" >"$work/goroutine.time"
  printf '%-8s %-10s %10s %10s %9.2fs\n' goroutine "debug=$debug" "$(human "$(stat -c %s "$work/goroutine.$debug")")" - "$(cat "$work/goroutine.time")"
done

echo
echo "livetrace pprof on a ${SECONDS_PER_PROFILE} s trace of the demo (settings=profile), median of 3, JVM start included:"
curl -sf -o "$work/trace.jfr" "$base/trace?seconds=$SECONDS_PER_PROFILE&settings=profile"
printf '%-8s %10s %10s %10s\n' type trace pprof seconds
for type in cpu alloc mutex block; do
  times=()
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    java -jar "$CLI" pprof "$work/trace.jfr" --type "$type" -o "$work/$type.pb.gz" >/dev/null
    times+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf '%-8s %10s %10s %9.2fs\n' "$type" "$(human "$(stat -c %s "$work/trace.jfr")")" "$(human "$(stat -c %s "$work/$type.pb.gz")")" "$median"
done
