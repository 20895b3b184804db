// AV moderation (Prosody's av_moderation component in jitsi-meet): when a moderator turns it on for audio or video,
// the component tells every occupant, the focus included, with a message from its own address:
// `<json-message xmlns='http://jitsi.org/jitmeet'>{"type":"av_moderation","room":"r@conference…","enabled":true,
// "mediaType":"audio","actor":"r@conference…/nick","whitelists":{"audio":["r@conference…/nick"]}}</json-message>`.
// The whitelists hold the room JIDs of members a moderator allowed to unmute. Jicofo enforces it on the bridge.
import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { isObject, parseJsonText } from '../lib/json-text.js';
import { NS_JITMEET } from '../xml/namespaces.js';

export type ModeratedMedia = 'audio' | 'video';

export interface AvModerationMessage {
  /** The bare room JID. */
  room: string;
  /** Present with `mediaType` when moderation of that media was turned on or off. */
  enabled?: boolean;
  mediaType?: ModeratedMedia;
  /** The moderator who turned it on (room JID). */
  actor?: string;
  /** Members allowed to unmute, per media, as room JIDs (each list replaces the previous one). */
  whitelists?: Partial<Record<ModeratedMedia, string[]>>;
}

/** A room's whitelist is bounded: more than this many entries is not a real room's. */
const MAX_WHITELIST = 10_000;

/** The message's `<json-message>`, if it is an av_moderation one; throws ProtocolError when it is malformed. */
export function parseAvModerationMessage(message: Element): AvModerationMessage | undefined {
  const el = message.getChild('json-message', NS_JITMEET);
  if (el === undefined) return undefined;
  const root = parseJsonText(el.getText(), 'json-message');
  if (!isObject(root) || root.type !== 'av_moderation') return undefined;
  const bad = (what: string): never => {
    throw new ProtocolError('bad-av-moderation', `av_moderation: ${what}`);
  };
  if (typeof root.room !== 'string' || root.room === '') bad('no room');
  const m: AvModerationMessage = { room: root.room as string };
  if (root.enabled !== undefined) {
    if (typeof root.enabled !== 'boolean') bad('enabled is not a boolean');
    if (typeof root.mediaType !== 'string') bad('no mediaType');
    // Newer jitsi-meet also moderates `desktop`, which the bridge's force-mute cannot tell from video: left out,
    // the message's whitelists still count.
    if (root.mediaType === 'audio' || root.mediaType === 'video') {
      m.enabled = root.enabled as boolean;
      m.mediaType = root.mediaType;
    }
  }
  if (typeof root.actor === 'string') m.actor = root.actor;
  if (root.whitelists !== undefined) {
    if (!isObject(root.whitelists)) bad('whitelists is not an object');
    const lists = root.whitelists as Record<string, unknown>;
    m.whitelists = {};
    for (const media of ['audio', 'video'] as const) {
      const list = lists[media];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length > MAX_WHITELIST || !list.every((j) => typeof j === 'string'))
        bad(`whitelist ${media} is not a list of JIDs`);
      m.whitelists[media] = list as string[];
    }
  }
  return m;
}
