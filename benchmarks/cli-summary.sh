#!/usr/bin/env bash
# Times every command of the livetrace CLI (summary, tasks, export, repair) and the JDK's `jfr
# summary` and `jfr print` on the same large trace, in the same run, and prints wall time, events/s,
# MB/s and peak RSS for each.
#
#   benchmarks/cli-summary.sh [SIZE_MB] [REPETITIONS]
#
# SIZE_MB (default 300) is the size of the trace that benchmarks/cli-summary-workload.java
# records with the core recorder; the trace is kept in $BENCH_DIR (default /tmp/livetrace-bench)
# and reused by later runs of at least that size. livetrace runs with -Xmx256m, to show that its
# memory does not grow with the trace. BASELINE_JAR=path/to/livetrace.jar adds the same commands
# run with another build (before a change, say). The commands run one after the other in each
# repetition, so that a busy machine slows all alike; the table shows the median of the
# repetitions (and the fastest), and the median peak RSS. JAVA_HOME selects the JDK for all;
# cli/target/livetrace.jar is built when missing.
set -euo pipefail

size_mb=${1:-300}
reps=${2:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
java=$java_home/bin/java
jfr=$java_home/bin/jfr
jar=$root/cli/target/livetrace.jar
baseline=${BASELINE_JAR:-}
bench_dir=${BENCH_DIR:-/tmp/livetrace-bench}
trace=$bench_dir/summary-${size_mb}mb.jfr
out=$bench_dir/out

if [[ ! -x /usr/bin/time ]]; then
  echo "needs /usr/bin/time (apt-get install time) for wall time and peak RSS" >&2
  exit 1
fi
cd "$root"
if [[ ! -f $jar ]] || ! ls core/target/livetrace-core-*[0-9T].jar >/dev/null 2>&1; then
  echo "building cli/target/livetrace.jar ..." >&2
  ./mvnw -B -q -pl cli -am package -DskipTests >&2
fi
core_jar=$(ls core/target/livetrace-core-*.jar | grep -v -e -tests -e -sources -e -javadoc | head -1)

mkdir -p "$bench_dir"
if [[ ! -f $trace ]]; then
  echo "recording a trace of about $size_mb MB ..." >&2
  "$java" -cp "$core_jar" benchmarks/cli-summary-workload.java "$trace.tmp" "$size_mb" >&2
  mv "$trace.tmp" "$trace"
fi
bytes=$(stat -c %s "$trace")
summary_json=$("$java" -jar "$jar" summary --format json "$trace")
events=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' <<<"$summary_json")
chunks=$(sed -n 's/^  "chunks": \([0-9]*\),$/\1/p' <<<"$summary_json")
if [[ -z $events ]]; then
  echo "could not count the events of $trace" >&2
  exit 1
fi

names=()
commands=()
add() { names+=("$1"); shift; commands+=("$*"); }
for build in "" ${baseline:+baseline}; do
  j=$jar label="livetrace"
  if [[ $build == baseline ]]; then j=$baseline label="baseline"; fi
  add "$label summary" "$java" -Xmx256m -jar "$j" summary "$trace"
  add "$label tasks" "$java" -Xmx256m -jar "$j" tasks "$trace"
  add "$label export" "$java" -Xmx256m -jar "$j" export "$trace" -o "$out.json"
  add "$label repair" "$java" -Xmx256m -jar "$j" repair "$trace" -o "$out.jfr"
done
add "jfr summary" "$jfr" summary "$trace"
add "jfr print --events livetrace.TaskEnd" "$jfr" print --events livetrace.TaskEnd "$trace"

declare -A times rss
for ((i = 0; i < reps; i++)); do
  for ((c = 0; c < ${#names[@]}; c++)); do
    # word splitting of the command is intended: paths here have no spaces
    /usr/bin/time -f '%e %M' -o "$out.time" ${commands[$c]} >/dev/null
    read -r seconds kb <"$out.time"
    times[$c]+="$seconds "
    rss[$c]+="$kb "
    rm -f "$out.json" "$out.jfr"
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
fastest() { printf '%s\n' "$@" | sort -g | head -1; }

version=$("$java" -version 2>&1 | head -1)
printf '\ntrace: %s, %.1f MB, %s events, %s chunks; %s; %d repetitions; %s cores, load %s\n\n' \
  "$trace" "$(awk -v b="$bytes" 'BEGIN {print b / 1048576}')" "$events" "$chunks" \
  "$version" "$reps" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-38s %9s %9s %12s %8s %10s\n' "command" "median" "fastest" "events/s" "MB/s" "peak RSS"
for ((c = 0; c < ${#names[@]}; c++)); do
  # shellcheck disable=SC2086
  med=$(median ${times[$c]}) min=$(fastest ${times[$c]}) kb=$(median ${rss[$c]})
  awk -v name="${names[$c]}" -v med="$med" -v min="$min" -v kb="$kb" -v events="$events" -v bytes="$bytes" 'BEGIN {
    printf "%-38s %7.2f s %7.2f s %12.0f %8.1f %7.0f MB\n", name, med, min, events / med, bytes / 1048576 / med, kb / 1024 }'
done
echo
echo "livetrace runs with -Xmx256m, with its own decoder, which decodes only the fields a command"
echo "needs: summary and repair read the trace once, tasks twice (the slowest tasks, then their"
echo "events), on up to $(( $(nproc) < 4 ? $(nproc) : 4 )) threads; export once, in time order on one thread, writing a JSON"
echo "file several times the size of the trace. jfr summary reads the size and type of every record;"
echo "jfr print builds every event of the type it prints. Each run is a fresh JVM, startup and JIT"
echo "compilation included."
