#!/bin/sh
# deps.sh - install the Debian packages etwmap needs to build and test.
#
# Idempotent and quiet when everything is present. Runs apt-get when a
# package is missing: as root directly, otherwise through sudo when there is
# one; if neither works it names the command to run and fails.
#
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh --check  only report what is missing (exit 1 if any)
set -eu

# build: compiler, pkg-config; tests: cmocka, clang/lld/llvm (fixtures,
# llvm-readobj/llvm-pdbutil oracles, libFuzzer runtime), python3 (corpus
# comparison scripts).
PKGS="make gcc pkg-config libcmocka-dev clang lld llvm libclang-rt-14-dev python3 libxml2-utils libcurl4-openssl-dev libmspack-dev gcab libzydis-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ]; then
    echo "deps.sh: missing Debian packages:$missing" >&2
    exit 1
fi

echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "deps.sh: not root and no sudo; run: apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
