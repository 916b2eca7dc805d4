# Sourced by the load scripts, from the repository's root: the demo's jar, built when missing, and
# wrk (Debian package), installed when missing.
JAR=examples/target/livetrace-example.jar

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
fi
[ -f "$JAR" ] || ./mvnw -B -q -pl examples -am package -DskipTests
