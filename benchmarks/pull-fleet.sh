#!/usr/bin/env bash
# livetrace pull from 1, 4 and 50 pods: fabric8's mock Kubernetes API server, each pod a server on
# loopback that replays a recorded 5 s trace at its pace; `livetrace pull --seconds 5` runs as the
# executable jar in a JVM of its own. Prints wall time, the spread of the pods' start instants (the
# requests' arrivals at the pods) and the CLI's peak RSS (/usr/bin/time).
#
#   benchmarks/pull-fleet.sh [PODS...]      # default: 1 4 50
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [[ ! -x /usr/bin/time ]]; then
  echo "needs /usr/bin/time (apt-get install time)" >&2
  exit 1
fi
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
./mvnw -B -q -pl cli -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
java ${HEAP:+-Dheap=$HEAP} ${CLI_OPTION:+-DcliOption=$CLI_OPTION} -cp "cli/target/test-classes:cli/target/classes:$(cat "$cp_file")" \
  io.github.livetrace.cli.PullBenchmark cli/target/livetrace.jar "$@"
