#!/usr/bin/env bash
# The overhead of tracing under load: the demo's throughput and latency with no trace, and with
# 5 s traces running back to back (curl of /debug/pprof/trace, default settings), in the same run.
# Modes alternate within each round so that drift of the machine hits both alike.
#
#   benchmarks/load-test.sh                  # both scenarios, 3 rounds of 20 s per mode
#   ROUNDS=5 SECONDS_PER_RUN=30 benchmarks/load-test.sh
#   ON=flight-recorder benchmarks/load-test.sh
#   SCENARIOS=order ROUNDS=5 ON=flight-recorder benchmarks/load-test.sh
#   ON=profile benchmarks/load-test.sh
#
# ON says what "on" is: "trace" (the default: 5 s traces back to back), "profile" (a 30 s CPU
# profile, /debug/pprof/profile?seconds=30, running through the run) or "flight-recorder", an
# always-on flight recorder (the demo's --flight-recorder: a 10 s, 10 MiB window, snapshots of
# orders over 40 ms). A flight recorder runs from the start of its JVM, so with
# ON=flight-recorder every run gets a fresh demo JVM, started with or without the flag and warmed
# up for WARMUP seconds (default 30: with 10, JFR's start and the JIT's recompilations after it
# still showed in some runs) first.
#
# Scenarios: "order" is the demo's real work (a task, regions on barista threads, logs, a hot
# lock); "menu" is a tiny handler, the worst case for JFR's own background cost. Load comes from
# wrk (Debian package) on loopback; wrk, the demo and the traces share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
ON=${ON:-trace}
SCENARIOS=${SCENARIOS:-order menu}
WARMUP=${WARMUP:-30}
case "$ON" in
  trace | flight-recorder) ;;
  profile)
    # The profile must run through the whole measurement: it starts just before wrk.
    [ "$SECONDS_PER_RUN" -le 28 ] || { echo "load-test: ON=profile needs SECONDS_PER_RUN <= 28" >&2; exit 2; } ;;
  *) echo "load-test: ON must be trace, profile or flight-recorder, was '$ON'" >&2; exit 2 ;;
esac
PORT=${PORT:-18181}
. benchmarks/common.sh

work=$(mktemp -d)
demo_pid=""
tracer_pid=""
cleanup() {
  [ -n "$tracer_pid" ] && kill "$tracer_pid" 2>/dev/null || true
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

base="http://127.0.0.1:$PORT"
# start_demo [FLAGS...]: a demo JVM on $PORT, once it answers.
start_demo() {
  # The temporary directory is the run's own: JFR's repository and the demo's snapshots go with it.
  java -Xms512m -Xmx512m -Djava.io.tmpdir="$work" -jar "$JAR" --port "$PORT" "$@" >"$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$base/menu" && return
    sleep 0.1
  done
  echo "load-test: the demo did not start within 30 s: $(cat "$work/demo.log")" >&2
  exit 1
}

stop_demo() {
  kill "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  demo_pid=""
}

# A fresh demo for a flight recorder run: with the flight recorder when $1 is "on", warmed up.
restart_demo() {
  stop_demo
  if [ "$1" = on ]; then start_demo --flight-recorder; else start_demo; fi
  local expected=404
  [ "$1" = on ] && expected=200
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/debug/pprof/flightrecorder")" != "$expected" ]; then
    echo "load-test: the flight recorder's window did not answer $expected in mode $1" >&2
    exit 1
  fi
  wrk -t 1 -c "$3" -d "${WARMUP}s" "$base$2" >/dev/null
}

start_demo

# wrk's latency line "99%  12.34ms" in milliseconds.
to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }'
}

# run_wrk NAME PATH CONNECTIONS -> prints "rps p99ms"
run_wrk() {
  local out
  out=$(wrk --latency -t 1 -c "$3" -d "${SECONDS_PER_RUN}s" "$base$2")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  echo "$rps $p99"
}

start_tracing() {
  (
    while true; do
      curl -s -o "$work/trace.jfr" "$base/debug/pprof/trace?seconds=5" || true
    done
  ) &
  tracer_pid=$!
  # Measure only once a trace is recording: until a second request is turned away.
  await_trace_status 429 1 "no trace started within 10 s; an 'on' round would measure nothing"
}

stop_tracing() {
  local client
  client=$(pgrep -P "$tracer_pid" curl || true)
  kill "$tracer_pid" 2>/dev/null || true
  wait "$tracer_pid" 2>/dev/null || true
  [ -n "$client" ] && kill $client 2>/dev/null || true
  tracer_pid=""
  # Wait until the running trace has noticed that its client is gone (at its next chunk) and
  # stopped, before the next baseline.
  await_trace_status 200 0.1 "the trace did not stop within 10 s of its client going away"
}

start_profiling() {
  curl -sf -o "$work/profile.pb.gz" "$base/debug/pprof/profile?seconds=30" &
  tracer_pid=$!
  # Measure only once the profile records: HEAD answers 429 then, and starts nothing.
  for _ in $(seq 1 100); do
    [ "$(curl -s -I -o /dev/null -w '%{http_code}' "$base/debug/pprof/profile")" = 429 ] && return
    sleep 0.1
  done
  echo "load-test: no profile started within 10 s; an 'on' round would measure nothing" >&2
  exit 1
}

stop_profiling() {
  # The profile ends by itself after its 30 s; the next baseline starts once it is served.
  wait "$tracer_pid" || { echo "load-test: the profile request failed" >&2; exit 1; }
  tracer_pid=""
  [ -s "$work/profile.pb.gz" ] || { echo "load-test: the profile is empty" >&2; exit 1; }
}

# Asks for a trace of $2 seconds, for 10 s at most, until the answer is status $1; else fails with $3.
await_trace_status() {
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/debug/pprof/trace?seconds=$2")" = "$1" ] && return
    sleep 0.1
  done
  echo "load-test: $3" >&2
  exit 1
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); ${ROUNDS} rounds x ${SECONDS_PER_RUN}s per mode"
printf '%-8s %-6s %-9s %12s %10s\n' scenario round mode "req/s" "p99 ms"
for scenario in "order /order?drink=latte 8" "menu /menu 32"; do
  read -r name path conns <<<"$scenario"
  [[ " $SCENARIOS " == *" $name "* ]] || continue
  [ "$ON" != flight-recorder ] && run_wrk "$name" "$path" "$conns" >/dev/null # warm-up
  : >"$work/$name.off"
  : >"$work/$name.on"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then modes="off on"; else modes="on off"; fi
    for mode in $modes; do
      if [ "$ON" = flight-recorder ]; then
        restart_demo "$mode" "$path" "$conns"
      elif [ "$mode" = on ]; then
        if [ "$ON" = profile ]; then start_profiling; else start_tracing; fi
      fi
      read -r rps p99 <<<"$(run_wrk "$name" "$path" "$conns")"
      if [ "$mode" = on ]; then
        case "$ON" in
          trace) stop_tracing ;;
          profile) stop_profiling ;;
        esac
      fi
      echo "$rps $p99" >>"$work/$name.$mode"
      printf '%-8s %-6s %-9s %12s %10s\n' "$name" "$round" "$mode" "$rps" "$p99"
    done
  done
done

echo
if [ "$ON" = trace ]; then
  echo "medians ('on' = 5 s traces back to back, default settings):"
elif [ "$ON" = profile ]; then
  echo "medians ('on' = a 30 s CPU profile, /debug/pprof/profile?seconds=30, running through the run):"
else
  echo "medians ('on' = an always-on flight recorder, the demo's --flight-recorder; a fresh JVM per run):"
fi
printf '%-8s %12s %12s %10s %12s %12s %10s\n' scenario "req/s off" "req/s on" "change" "p99 off ms" "p99 on ms" "change"
for name in $SCENARIOS; do
  r_off=$(awk '{print $1}' "$work/$name.off" | median)
  r_on=$(awk '{print $1}' "$work/$name.on" | median)
  p_off=$(awk '{print $2}' "$work/$name.off" | median)
  p_on=$(awk '{print $2}' "$work/$name.on" | median)
  printf '%-8s %12.0f %12.0f %9.1f%% %12.2f %12.2f %9.1f%%\n' "$name" "$r_off" "$r_on" \
    "$(echo "($r_on - $r_off) * 100 / $r_off" | bc -l)" "$p_off" "$p_on" \
    "$(echo "($p_on - $p_off) * 100 / $p_off" | bc -l)"
done
