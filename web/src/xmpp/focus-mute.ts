// What the focus says about this page's own microphone, camera and screen share (Jicofo's protocol, as
// lib-jitsi-meet reads it): a moderator's mute arrives as `<mute xmlns='http://jitsi.org/jitmeet/audio'
// actor='room@conference/nick'>true</mute>` from the focus's room JID, and a joiner beyond the room's
// startAudioMuted / startVideoMuted limits (or under AV moderation) finds `<startmuted audio video/>` in its first
// session-initiate. Unmuting what the focus muted asks the focus first, as lib-jitsi-meet does: under AV moderation
// the bridge drops the media until a moderator allows it, and the focus says no until then.
import type { Element } from 'ltx';
import { MUTE_MEDIA, buildMuteRequest, muteNamespace, type MuteMedia } from '@convene/protocol/jitsi';
import type { StartMuted } from '@convene/protocol/jingle';
import { xmlElement } from '@convene/protocol/xml';
import type { XmppConnection } from './xmpp-connection.js';

type Own = 'audio' | 'video';

export interface FocusMutesDeps {
  /** The focus's room JID and ours, once in a room. */
  addresses(): { focus: string; self: string } | undefined;
  isMuted(media: Own): boolean;
  setMuted(media: Own, muted: boolean): void;
  /** Stops the screen share; false when there was none. */
  stopScreen(): boolean;
  notice(text: string): void;
}

export class FocusMutes {
  readonly #deps: FocusMutesDeps;
  readonly #held = new Set<Own>();
  #conn: XmppConnection | undefined;

  constructor(deps: FocusMutesDeps) {
    this.#deps = deps;
  }

  /** Takes the focus's mute commands on `conn`; anything not from the focus or not `true` is ignored. */
  listen(conn: XmppConnection): void {
    this.#conn = conn;
    for (const media of MUTE_MEDIA)
      conn.onIqSet(muteNamespace(media), 'mute', (stanza: Element, el: Element) => {
        const from = stanza.attrs.from as string | undefined;
        if (from === undefined || from !== this.#deps.addresses()?.focus || el.getText().trim() !== 'true') return;
        this.#muted(media, true);
      });
  }

  /** A session-initiate's `<startmuted>` (the first one only: a bridge move re-invites). */
  startMuted(s: StartMuted | undefined): void {
    if (s?.audio === true) this.#muted('audio', false);
    if (s?.video === true) this.#muted('video', false);
  }

  /** The mute buttons. */
  async toggle(media: Own): Promise<void> {
    const muted = this.#deps.isMuted(media);
    const at = this.#deps.addresses();
    if (muted && this.#held.has(media) && at !== undefined && this.#conn !== undefined) {
      const iq = xmlElement('iq', { type: 'set', to: at.focus, id: `unmute-${Date.now()}` }, [
        buildMuteRequest({ media, jid: at.self, mute: false }),
      ]);
      const allowed = await this.#conn.request(iq).then(
        () => true,
        () => false,
      );
      if (!allowed) return this.#deps.notice('A moderator has to allow you first.');
      this.#held.delete(media);
    }
    this.#deps.setMuted(media, !muted);
  }

  #muted(media: MuteMedia, byModerator: boolean): void {
    if (media === 'desktop') {
      if (!this.#deps.stopScreen()) return;
    } else {
      this.#held.add(media);
      if (!this.#deps.isMuted(media)) this.#deps.setMuted(media, true);
    }
    const what = { audio: 'microphone', video: 'camera', desktop: 'screen share' }[media];
    this.#deps.notice(byModerator ? `A moderator turned your ${what} off.` : `You joined with your ${what} off.`);
  }
}
