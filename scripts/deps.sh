#!/bin/sh
# deps.sh PROFILE... - install the Debian packages a profile needs, only if missing.
# Profiles: build (compile souk), test (run `make test`), fuzz, bench.
# Idempotent: apt-get update runs only when something must be installed.
set -eu

pkgs_build="build-essential pkg-config libh2o-evloop-dev libsqlite3-dev libpq-dev libjansson-dev libsodium-dev libssl-dev zlib1g-dev libcurl4-openssl-dev libxml2-dev libmimalloc-dev libxxhash-dev python3"
pkgs_test="$pkgs_build postgresql python3 sqlite3 clang-format chromium fonts-liberation fonts-dejavu-core"
# Node.js for the browser and OpenAPI tests: Debian's, unless one is installed.
command -v node >/dev/null 2>&1 || pkgs_test="$pkgs_test nodejs"
command -v npm >/dev/null 2>&1 || pkgs_test="$pkgs_test npm"
pkgs_fuzz="$pkgs_build clang libclang-rt-14-dev"
pkgs_bench="$pkgs_build wrk python3 curl bc valgrind"

want=""
for profile in "$@"; do
    case "$profile" in
    build) want="$want $pkgs_build" ;;
    test) want="$want $pkgs_test" ;;
    fuzz) want="$want $pkgs_fuzz" ;;
    bench) want="$want $pkgs_bench" ;;
    *) echo "deps.sh: unknown profile '$profile'" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
