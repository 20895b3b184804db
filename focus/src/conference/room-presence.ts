import type { Element } from 'ltx';
import { buildFocusPresence, PROP_BRIDGE_COUNT, PROP_SUPPORT_TERMINATE_RESTART } from '@convene/protocol/jitsi';

/**
 * The focus's own presence extensions in `roomJid` (PROTOCOL.md §3.4): it supports terminate-restart, how many
 * bridges the conference is on (`onBridge`: one, else none), whether it waits for a bridge, its version, and the
 * room's shared document, named after the room as Jicofo's default does (jitsi-meet offers the Etherpad document
 * only when the focus names one and its own config has `etherpad_base`).
 */
export function focusPresence(
  roomJid: string,
  onBridge: boolean,
  bridgeNotAvailable: boolean,
  version: string,
): Element[] {
  return buildFocusPresence({
    etherpad: roomJid.slice(0, roomJid.indexOf('@')),
    conferenceProperties: {
      [PROP_SUPPORT_TERMINATE_RESTART]: 'true',
      [PROP_BRIDGE_COUNT]: onBridge ? '1' : '0',
    },
    bridgeNotAvailable,
    versions: { focus: version },
  });
}
