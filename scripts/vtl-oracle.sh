#!/usr/bin/env bash
# Differential proof of the VTL engine against Apache Velocity 1.7 (Debian's `velocity` package).
#  (a) installs velocity and a JDK from Debian's packages when missing;
#  (b) compiles tools/velocity-oracle/Oracle.java;
#  (c) regenerates test/vtl/golden/ and fails if it differs from the committed files;
#  (d) renders a seeded batch of random templates with both engines and fails on any difference
#      not listed in test/vtl/divergences.ts.
# Quiet on success. Usage: bash scripts/vtl-oracle.sh [random-count] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-3000}"
SEED="${2:-20261125}"

if [ ! -f /usr/share/java/velocity.jar ] || ! command -v javac >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  pkgs="velocity"
  command -v javac >/dev/null 2>&1 || pkgs="$pkgs default-jdk-headless"
  apt-get install -y -qq $pkgs >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
CP="$work:/usr/share/java/velocity.jar:/usr/share/java/commons-collections3.jar:/usr/share/java/commons-lang.jar"
javac -nowarn -d "$work" -cp /usr/share/java/velocity.jar tools/velocity-oracle/Oracle.java

tsx="node --import tsx"
oracle() { java -cp "$CP" Oracle "$1" "$2"; }

golden=test/vtl/golden
mkdir -p "$golden"
$tsx test/vtl/oracle/export.ts cases > "$work/cases.json"
$tsx test/vtl/oracle/export.ts random 300 1 > "$work/random.json"
for mode in velocity apigateway; do
  oracle "$mode" "$work/cases.json" > "$golden/cases.$mode.json"
  oracle "$mode" "$work/random.json" > "$golden/random-300-1.$mode.json"
done
if ! git diff --quiet --exit-code -- "$golden" || [ -n "$(git ls-files --others --exclude-standard -- "$golden")" ]; then
  echo "vtl-oracle: the golden files in $golden are out of date (regenerated; review and commit them):" >&2
  git status --short -- "$golden" >&2
  exit 1
fi

$tsx test/vtl/oracle/export.ts random "$COUNT" "$SEED" > "$work/fuzz.json"
oracle velocity "$work/fuzz.json" > "$work/fuzz.velocity.json"
oracle apigateway "$work/fuzz.json" > "$work/fuzz.apigateway.json"
$tsx test/vtl/oracle/compare.ts cases "$golden/cases.velocity.json" "$golden/cases.apigateway.json"
$tsx test/vtl/oracle/compare.ts random "$COUNT" "$SEED" "$work/fuzz.velocity.json" "$work/fuzz.apigateway.json"
