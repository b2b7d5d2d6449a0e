#!/bin/sh
# Make sure the Debian packages a target needs are installed.
# Usage: scripts/deps.sh GROUP...   (groups: build check report fuzz bench html)
# As root, missing packages are installed with apt-get; otherwise one line names them and we fail,
# so that `make` never half-builds against missing headers.
set -u
pkgs=""
for group in "$@"; do
	case "$group" in
	build)  pkgs="$pkgs gcc make pkg-config libunwind-dev uthash-dev libdw-dev libelf-dev libstdc++6 libmicrohttpd-dev" ;;
	check)  pkgs="$pkgs nginx-light valgrind clang-format libcmocka-dev libjansson-dev python3 iproute2 strace logrotate util-linux python3-requests nodejs perl openjdk-17-jdk-headless prometheus rsyslog" ;;
	fuzz)   pkgs="$pkgs clang libclang-rt-dev libjansson-dev" ;;
	html)   pkgs="$pkgs chromium" ;;
	bench)  pkgs="$pkgs valgrind strace nginx-light curl wrk redis-server redis-tools python3 nodejs iproute2 procps" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done
missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "sockleak: installing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists yet; update once, then install. Another apt run
	# (unattended upgrades, a parallel make) holds the dpkg lock for a while: wait for it.
	apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "sockleak: apt-get install failed for:$missing" >&2; exit 1; }
	exit 0
fi
echo "sockleak: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
exit 1
