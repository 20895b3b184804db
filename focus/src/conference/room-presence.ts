import type { Element } from 'ltx';
import { buildFocusPresence, PROP_BRIDGE_COUNT, PROP_SUPPORT_TERMINATE_RESTART } from '@convene/protocol/jitsi';

/**
 * The focus's own presence extensions in a conference room (PROTOCOL.md §3.4): it supports terminate-restart, how
 * many bridges the conference is on (`onBridge`: one, else none), whether it waits for a bridge, its version.
 */
export function focusPresence(onBridge: boolean, bridgeNotAvailable: boolean, version: string): Element[] {
  return buildFocusPresence({
    conferenceProperties: {
      [PROP_SUPPORT_TERMINATE_RESTART]: 'true',
      [PROP_BRIDGE_COUNT]: onBridge ? '1' : '0',
    },
    bridgeNotAvailable,
    versions: { focus: version },
  });
}
