// Moderator mute (Jicofo's MuteIq, MuteVideoIq, MuteDesktopIq): a member asks the focus, at its room JID, to mute
// another member (`<mute xmlns='http://jitsi.org/jitmeet/audio' jid='room@conference/nick'>true</mute>`); the focus
// checks the asker is a moderator and tells the member so, from its own room JID, naming the asker in `actor`.
// lib-jitsi-meet acts only on `true` from the focus's room JID. The same element asks to unmute oneself.
import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { xmlElement } from '../xml/build-element.js';
import { optAttr, textOf, toBool } from '../xml/read-element.js';

export const MUTE_MEDIA = ['audio', 'video', 'desktop'] as const;
export type MuteMedia = (typeof MUTE_MEDIA)[number];

/** The namespace of each media's `<mute/>`. */
export function muteNamespace(media: MuteMedia): string {
  return `http://jitsi.org/jitmeet/${media}`;
}

export interface MuteRequest {
  media: MuteMedia;
  /** The member to mute or unmute: its room JID (`room@conference/nick`). */
  jid: string;
  mute: boolean;
}

/** Reads a `<mute/>` of `media`'s namespace; a missing `jid` or a text other than true/false is `bad-request`. */
export function parseMuteRequest(el: Element, media: MuteMedia): MuteRequest {
  const jid = optAttr(el, 'jid');
  if (jid === undefined || jid === '') throw new ProtocolError('missing-attribute', '<mute/> needs a jid');
  return { media, jid, mute: toBool('<mute/>', textOf(el)) };
}

/** The payload of the focus's IQ to the member: `actor` is the moderator's room JID. */
export function buildMuteCommand(media: MuteMedia, actor: string, mute = true): Element {
  return xmlElement('mute', { xmlns: muteNamespace(media), actor }, [String(mute)]);
}

/** The payload of a member's request (what lib-jitsi-meet's muteParticipant sends). */
export function buildMuteRequest(r: MuteRequest): Element {
  return xmlElement('mute', { xmlns: muteNamespace(r.media), jid: r.jid }, [String(r.mute)]);
}
