#!/usr/bin/env bash
# Times `livetrace summary` against the JDK's `jfr summary` on the same large trace, in the same
# run, and prints wall time, events/s and MB/s for each.
#
#   benchmarks/cli-summary.sh [SIZE_MB] [REPETITIONS]
#
# SIZE_MB (default 300) is the size of the trace that benchmarks/cli-summary-workload.java
# records with the core recorder; the trace is kept in $BENCH_DIR (default /tmp/livetrace-bench)
# and reused by later runs of at least that size. livetrace runs with -Xmx256m, to show that its
# memory does not grow with the trace. The runs of the two tools alternate, so that a busy
# machine slows both alike; the table shows the median of the repetitions (and the fastest).
# JAVA_HOME selects the JDK for both tools; cli/target/livetrace.jar is built when missing.
set -euo pipefail

size_mb=${1:-300}
reps=${2:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
java=$java_home/bin/java
jfr=$java_home/bin/jfr
jar=$root/cli/target/livetrace.jar
bench_dir=${BENCH_DIR:-/tmp/livetrace-bench}
trace=$bench_dir/summary-${size_mb}mb.jfr

cd "$root"
if [[ ! -f $jar ]] || ! ls core/target/livetrace-core-*[0-9T].jar >/dev/null 2>&1; then
  echo "building cli/target/livetrace.jar ..." >&2
  mvn -B -q -pl cli -am package -DskipTests >&2
fi
core_jar=$(ls core/target/livetrace-core-*.jar | grep -v -e -tests -e -sources -e -javadoc | head -1)

mkdir -p "$bench_dir"
if [[ ! -f $trace ]]; then
  echo "recording a trace of about $size_mb MB ..." >&2
  "$java" -cp "$core_jar" benchmarks/cli-summary-workload.java "$trace.tmp" "$size_mb" >&2
  mv "$trace.tmp" "$trace"
fi
bytes=$(stat -c %s "$trace")
events=$("$java" -jar "$jar" summary --format json "$trace" | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
if [[ -z $events ]]; then
  echo "could not count the events of $trace" >&2
  exit 1
fi

livetrace_cmd=("$java" -Xmx256m -jar "$jar" summary "$trace")
jfr_cmd=("$jfr" summary "$trace")

now_ns() { date +%s%N; }
declare -a livetrace_times jfr_times
for ((i = 0; i < reps; i++)); do
  start=$(now_ns); "${livetrace_cmd[@]}" >/dev/null; livetrace_times+=($(($(now_ns) - start)))
  start=$(now_ns); "${jfr_cmd[@]}" >/dev/null; jfr_times+=($(($(now_ns) - start)))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
fastest() { printf '%s\n' "$@" | sort -n | head -1; }
peak_rss() {
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%d MB", $1 / 1024}'
  else
    echo "-"
  fi
}

row() { # name median_ns fastest_ns rss
  awk -v name="$1" -v med="$2" -v min="$3" -v rss="$4" -v events="$events" -v bytes="$bytes" 'BEGIN {
    printf "%-34s %9.2f s %9.2f s %14.0f %9.1f %10s\n", name, med / 1e9, min / 1e9,
      events / (med / 1e9), bytes / 1048576 / (med / 1e9), rss }'
}

version=$("$java" -version 2>&1 | head -1)
printf '\ntrace: %s, %.1f MB, %s events, %s chunks; %s; %d repetitions; %s cores, load %s\n\n' \
  "$trace" "$(awk -v b="$bytes" 'BEGIN {print b / 1048576}')" "$events" \
  "$("$java" -jar "$jar" summary --format json "$trace" | sed -n 's/^  "chunks": \([0-9]*\),$/\1/p')" \
  "$version" "$reps" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %11s %11s %14s %9s %10s\n' "command" "median" "fastest" "events/s" "MB/s" "peak RSS"
row "livetrace summary (-Xmx256m)" "$(median "${livetrace_times[@]}")" "$(fastest "${livetrace_times[@]}")" \
  "$(peak_rss "${livetrace_cmd[@]}")"
row "jfr summary" "$(median "${jfr_times[@]}")" "$(fastest "${jfr_times[@]}")" "$(peak_rss "${jfr_cmd[@]}")"
echo
echo "jfr summary reads the size and type of every record and counts them. livetrace summary also"
echo "decodes what it reports (task, region and log types, task ids and durations, every event's"
echo "thread) with its own decoder, on up to $(( $(nproc) < 4 ? $(nproc) : 4 )) threads, and builds per-type latency histograms."
echo "Each run is a fresh JVM, startup and JIT compilation included: on a small machine the JIT"
echo "compiler's threads take a good part of the CPU that livetrace's decoding threads would use."
