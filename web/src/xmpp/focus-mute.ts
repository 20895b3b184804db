// What the focus says about this page's own microphone, camera and screen share (Jicofo's protocol, as
// lib-jitsi-meet reads it): a moderator's mute arrives as `<mute xmlns='http://jitsi.org/jitmeet/audio'
// actor='room@conference/nick'>true</mute>` from the focus's room JID, and a joiner beyond the room's
// startAudioMuted / startVideoMuted limits finds `<startmuted audio video/>` in its session-initiate.
import type { Element } from 'ltx';
import { MUTE_MEDIA, muteNamespace, type MuteMedia } from '@convene/protocol/jitsi';
import type { StartMuted } from '@convene/protocol/jingle';
import type { XmppConnection } from './xmpp-connection.js';

/**
 * Calls `mute(media, actorNick)` for each mute command from the focus (`focusJid()`, the room's focus occupant);
 * anything else (another sender, a value other than `true`) is ignored, as lib-jitsi-meet does.
 */
export function onFocusMute(
  conn: XmppConnection,
  focusJid: () => string | undefined,
  mute: (media: MuteMedia, actorNick: string | undefined) => void,
): void {
  for (const media of MUTE_MEDIA)
    conn.onIqSet(muteNamespace(media), 'mute', (stanza: Element, el: Element) => {
      if (stanza.attrs.from === undefined || stanza.attrs.from !== focusJid() || el.getText().trim() !== 'true') return;
      const actor = typeof el.attrs.actor === 'string' ? el.attrs.actor : '';
      mute(media, actor.includes('/') ? actor.slice(actor.indexOf('/') + 1) : undefined);
    });
}

/** The media a session-initiate's `<startmuted>` says to start muted. */
export function startMutedMedia(s: StartMuted | undefined): MuteMedia[] {
  return [...(s?.audio === true ? ['audio' as const] : []), ...(s?.video === true ? ['video' as const] : [])];
}
