#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and run the module (apt-get):
# a C compiler, CMake, Maven, JDK 17, Redis 7.0 and its tools, procps, iproute2 and openssl (tests).
# Does nothing when everything is there; without root it says which command to run.
#   scripts/prerequisites.sh          install what is missing
#   scripts/prerequisites.sh --list   print the Debian packages (used by .ci/run)
set -euo pipefail
PACKAGES=(build-essential cmake maven openjdk-17-jdk-headless redis-server redis-tools procps iproute2 ca-certificates openssl)
if [[ ${1:-} == --list ]]; then
  echo "${PACKAGES[*]}"
  exit 0
fi
missing=()
for tool in gcc make cmake mvn javac redis-server redis-cli ps ip openssl; do
  command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
echo "missing: ${missing[*]}; installing: ${PACKAGES[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
  SUDO="sudo"
else
  echo "not root: run  sudo apt-get install -y ${PACKAGES[*]}  then this command again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
