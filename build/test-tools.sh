#!/usr/bin/env bash
# What the tests need beyond a JDK, checked before anything long runs (Maven's validate phase of
# the root project, skipped with -DskipTests):
#   go        `go tool pprof` reads the profiles the tests produce, as Go users read them;
#   chromium  headless, loads the flame graphs and pages the tests produce.
# Installs them with apt-get where it can (root on Debian or Ubuntu); otherwise names exactly what
# to install and fails at once.
set -uo pipefail

missing=()
command -v go >/dev/null 2>&1 || missing+=("go:golang-go")
command -v chromium >/dev/null 2>&1 || missing+=("chromium:chromium")
[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for m in "${missing[@]}"; do packages+=("${m#*:}"); done

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "livetrace tests: installing ${packages[*]} with apt-get (go tool pprof and headless chromium read what the tests produce)"
  log=$(mktemp)
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >"$log" 2>&1 \
    || { apt-get update -q >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >>"$log" 2>&1; }; then
    still=()
    for m in "${missing[@]}"; do command -v "${m%%:*}" >/dev/null 2>&1 || still+=("${m%%:*}"); done
    rm -f "$log"
    [ ${#still[@]} -eq 0 ] && exit 0
    # Ubuntu's chromium package, for one, installs only a wrapper that asks for the snap.
    echo "livetrace tests: apt-get installed ${packages[*]}, but ${still[*]} is still not a command on the PATH" >&2
  else
    echo "livetrace tests: apt-get could not install ${packages[*]}; its last lines:" >&2
    tail -n 5 "$log" | sed 's/^/  /' >&2
    rm -f "$log"
  fi
fi

{
  echo "livetrace tests need these on the PATH, missing here:"
  for m in "${missing[@]}"; do
    case "${m%%:*}" in
      go) echo "  go        (go tool pprof)  Debian/Ubuntu: apt-get install golang-go   macOS: brew install go   else https://go.dev/dl" ;;
      chromium) echo "  chromium  (headless)       Debian: apt-get install chromium   Ubuntu: snap install chromium   macOS: brew install --cask chromium (then put a 'chromium' command on the PATH)" ;;
    esac
  done
  echo "Install them and run the command again, or build without tests: ./mvnw -B verify -DskipTests"
} >&2
exit 1
