#!/usr/bin/env bash
# How much of the CPU time a CPU profile accounts for, by engine and by the kind of work a thread
# does: four threads that each spend CPU one way (arithmetic, System.arraycopy, System.nanoTime,
# SHA-256) and one blocked in a socket read, profiled through /debug/pprof/profile for 5 s with
# async-profiler (livetrace.profiler=auto) and with JFR (livetrace.profiler=jfr), on each JDK.
#
#   benchmarks/profile-truth.sh                      # java on the PATH, and JDK 25 if installed
#   JDKS="/usr/lib/jvm/java-17-openjdk-amd64" benchmarks/profile-truth.sh
#
# A thread's figure is the CPU time the profile gives its method (go tool pprof -top -cum) over
# the CPU time ThreadMXBean measured for it over the same span; "all" is the profile's total over
# the JVM's CPU time (OperatingSystemMXBean), which includes the JIT compiler, GC and the server.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_PROFILE=${SECONDS_PER_PROFILE:-5}
JAR=examples/target/livetrace-example.jar
[ -f "$JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
default_jdks="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ] && default_jdks="$default_jdks /usr/lib/jvm/temurin-25-jdk-amd64"
JDKS=${JDKS:-$default_jdks}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ms of the function's cumulative CPU time in a pprof file
cum_ms() { go tool pprof -top -cum -nodecount=100000 -unit=ms "$1" 2>/dev/null | awk -v f="$2" '$NF ~ f"$" { v=$4; sub(/ms$/, "", v); s+=v } END { printf "%.0f", s }'; }
total_ms() { go tool pprof -top -unit=ms "$1" 2>/dev/null | sed -n 's/.*Total samples = \([0-9.]*\)ms.*/\1/p' | head -1; }

echo "cores: $(nproc); ${SECONDS_PER_PROFILE} s CPU profiles; share = profiled CPU / CPU used"
printf '%-8s %-15s %11s %11s %11s %11s %11s %10s\n' JDK engine arithmetic arraycopy nanoTime sha256 blocked-read all
for jdk in $JDKS; do
  version=$("$jdk/bin/java" -version 2>&1 | head -1 | sed 's/.*version "\([0-9]*\).*/\1/')
  for engine in auto jfr; do
    out="$work/$version-$engine"
    "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -Dlivetrace.profiler=$engine -cp "$JAR" \
      benchmarks/profile-truth-workload.java "$out.pb.gz" "$SECONDS_PER_PROFILE" >"$out.txt" 2>"$out.err" \
      || "$jdk/bin/java" -Dlivetrace.profiler=$engine -cp "$JAR" \
        benchmarks/profile-truth-workload.java "$out.pb.gz" "$SECONDS_PER_PROFILE" >"$out.txt" 2>"$out.err"
    name=$(sed -n 's/^engine \([^;]*\).*/\1/p' "$out.txt")
    row=()
    for kind in arithmetic arraycopy nanoTime sha256; do
      used=$(awk -v k="$kind" '$1 == "thread" && $2 == k { print $3 }' "$out.txt")
      got=$(cum_ms "$out.pb.gz" "ProfileTruthWorkload.$kind")
      row+=("$(awk -v g="$got" -v u="$used" 'BEGIN { printf "%d/%d %3.0f%%", g, u, 100*g/u }')")
    done
    blocked=$(cum_ms "$out.pb.gz" "ProfileTruthWorkload.blockedRead")
    jvm=$(awk '$1 == "jvm" { print $2 }' "$out.txt")
    total=$(total_ms "$out.pb.gz")
    all=$(awk -v g="${total:-0}" -v u="$jvm" 'BEGIN { printf "%3.0f%%", 100*g/u }')
    printf '%-8s %-15s %11s %11s %11s %11s %11s %10s\n' "$version" "$name" "${row[0]##* }" "${row[1]##* }" "${row[2]##* }" "${row[3]##* }" "${blocked}ms" "$all"
  done
done
