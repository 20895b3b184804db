// Moderation on the wire: members' mute requests (Jicofo's MuteIq, decided in moderation.ts) and the messages of
// Prosody's av_moderation component (mute-policy.ts), both applied to the conference of the room they concern.
import { randomUUID } from 'node:crypto';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import {
  MUTE_MEDIA,
  buildMuteCommand,
  muteNamespace,
  parseAvModerationMessage,
  parseMuteRequest,
  type MuteMedia,
} from '@convene/protocol/jitsi';
import { StanzaFailure, xmlElement } from '@convene/protocol/xml';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import type { Conference } from './conference.js';
import { decideMute } from './moderation.js';

export class ModerationHandler {
  readonly #conn: FocusConnection;
  readonly #conferences: ReadonlyMap<string, Conference>;
  readonly #log: Logger;
  /** The av_moderation component's address (e.g. `avmoderation.meet.localhost`): its messages only are trusted. */
  readonly #avModeration: string | undefined;
  /** av_moderation messages dropped as malformed. */
  malformed = 0;

  constructor(
    conn: FocusConnection,
    conferences: ReadonlyMap<string, Conference>,
    avModeration: string | undefined,
    log: Logger,
  ) {
    this.#conn = conn;
    this.#conferences = conferences;
    this.#avModeration = avModeration?.toLowerCase();
    this.#log = log;
    for (const media of MUTE_MEDIA)
      conn.route('set', muteNamespace(media), 'mute', (stanza, payload) => this.#onMute(stanza, payload, media));
    conn.on('message', (m) => this.#onMessage(m));
  }

  /**
   * A member asks to mute another (a moderator) or to mute or unmute itself, through the room: the answer goes to
   * the asker, then the member muted hears it from the focus's room JID with the asker as `actor`.
   */
  #onMute(stanza: Element, payload: Element, media: MuteMedia): Promise<undefined> {
    const request = parseMuteRequest(payload, media);
    const from = String(stanza.attrs.from ?? '');
    const conference = this.#conferences.get((from.split('/')[0] ?? '').toLowerCase());
    if (conference === undefined || conference.ended)
      throw new StanzaFailure('unknown-room', { type: 'cancel', condition: 'item-not-found', extensions: [] });
    const members = [...conference.participants.values()].map((p) => p.occupant);
    const moderated = media === 'audio' ? 'audio' : 'video';
    const decision = decideMute(members, from, request, (o) => conference.mutes.mayUnmute(o, moderated));
    const log = { from, target: request.jid, media, mute: request.mute };
    if (!decision.allowed)
      throw new StanzaFailure('mute-refused', {
        type: 'cancel',
        condition: decision.condition,
        text: decision.reason,
        extensions: [],
      });
    this.#log.info(log, 'mute');
    // Jicofo tells the bridge, after every allowed request, what AV moderation makes it drop from the member.
    const target = [...conference.participants.values()].find((p) => p.occupant.occupantJid === request.jid);
    if (target !== undefined) conference.applyForceMute(target);
    if (decision.notify !== undefined) this.#tell(conference, decision.notify, media, from);
    return Promise.resolve(undefined);
  }

  /** Sends the member at `to` the mute command (after the asker's answer went out). */
  #tell(conference: Conference, to: string, media: MuteMedia, actor: string): void {
    setImmediate(() => {
      const iq = xmlElement('iq', { type: 'set', id: randomUUID(), from: conference.room.ownJid, to }, [
        buildMuteCommand(media, actor),
      ]);
      this.#conn.request(iq, 10_000).catch((err: unknown) => this.#log.debug({ err, to }, 'mute not acked'));
    });
  }

  /**
   * A message from the av_moderation component: its whitelists replace the room's; moderation turned on mutes
   * every member who may not unmute (not the moderator who turned it on), with a command and on the bridge.
   */
  #onMessage(message: Element): void {
    const from = String(message.attrs.from ?? '').toLowerCase();
    if (this.#avModeration === undefined || from !== this.#avModeration) return;
    let m;
    try {
      m = parseAvModerationMessage(message);
    } catch (err) {
      if (this.malformed++ % 100 === 0) this.#log.warn({ err }, 'malformed av_moderation message');
      return;
    }
    if (m === undefined) return;
    const conference = this.#conferences.get(m.room.toLowerCase());
    if (conference === undefined || conference.ended) return;
    const turnedOn = conference.mutes.apply(m);
    this.#log.info({ room: m.room, enabled: m.enabled, media: m.mediaType, actor: m.actor }, 'av moderation');
    for (const media of turnedOn)
      for (const p of conference.participants.values()) {
        if (p.occupant.occupantJid === m.actor || conference.mutes.mayUnmute(p.occupant, media)) continue;
        this.#tell(conference, p.occupant.occupantJid, media, m.actor ?? conference.room.occupantJid);
        conference.applyForceMute(p);
      }
  }
}
