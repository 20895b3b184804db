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
    # docker-jitsi-meet's secure domain (.env ENABLE_AUTH, ENABLE_GUESTS, XMPP_GUEST_DOMAIN, passed in by
    # jitsi-override.yml as JITSI_*): Jicofo's image turns them into its authentication; here they become the
    # focus's (authentication: xmpp, guests on the guest domain). Settings given as CONVENE_FOCUS_* win.
    case "${JITSI_ENABLE_AUTH:-0}" in
      1 | true | TRUE | True)
        export CONVENE_FOCUS_AUTHENTICATION="${CONVENE_FOCUS_AUTHENTICATION:-xmpp}"
        case "${JITSI_ENABLE_GUESTS:-0}" in
          1 | true | TRUE | True)
            export CONVENE_FOCUS_ANONYMOUS_DOMAINS="${CONVENE_FOCUS_ANONYMOUS_DOMAINS:-${JITSI_GUEST_DOMAIN:-guest.meet.jitsi}}"
            ;;
        esac
        if [ "${JITSI_AUTH_TYPE:-internal}" = jwt ]; then
          echo "convene: AUTH_TYPE=jwt: the focus checks the login domain (Prosody checks the tokens), not the token itself" >&2
        fi
        ;;
    esac
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
