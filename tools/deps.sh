#!/bin/sh
# deps.sh PKG...: installs the Debian packages among PKG that are missing.
# Checks first, so it is quick and silent when everything is there; uses
# sudo when not root; refreshes the package lists once if an install fails.
set -u
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $missing >/tmp/lunet-deps.log 2>&1 && exit 0
echo "deps: install failed; refreshing the package lists and retrying"
$SUDO apt-get update -q >>/tmp/lunet-deps.log 2>&1
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q $missing >>/tmp/lunet-deps.log 2>&1; then
  tail -20 /tmp/lunet-deps.log
  echo "deps: could not install:$missing (log: /tmp/lunet-deps.log)"
  exit 1
fi
