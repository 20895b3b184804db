#!/bin/sh
# Entry point of the Convene image: `focus` or `bridge` (then that program's options, e.g. --config), `web-files
# <dir>` (copy the built page, for a web front's volume), or `healthcheck`. Every setting also comes from the
# environment (CONVENE_FOCUS_*, CONVENE_BRIDGE_*), as outside a container.
set -eu
cd "${CONVENE_HOME:-/opt/convene}"
command="${1:-}"
[ "$#" -gt 0 ] && shift
case "$command" in
  focus)
    exec node --import tsx focus/src/main.ts "$@"
    ;;
  bridge)
    exec node --import tsx bridge/src/main.ts "$@"
    ;;
  web-files)
    target="${1:?usage: web-files <dir>}"
    mkdir -p "$target"
    cp -R web-dist/. "$target"/
    echo "convene: the page is in $target"
    ;;
  healthcheck)
    exec node deploy/docker/healthcheck.mjs "$@"
    ;;
  *)
    echo "usage: convene focus|bridge [options] | web-files <dir> | healthcheck" >&2
    exit 64
    ;;
esac
