import type { Element } from 'ltx';
import { xmlElement } from '@convene/protocol/xml';
import {
  buildParticipantPresence,
  parseFocusPresence,
  parseParticipantPresence,
  type SourceInfoMap,
} from '@convene/protocol/jitsi';
import { toSourceName } from '@convene/protocol/lib';
import type { XmppConnection } from './xmpp-connection.js';
import { sendConferenceRequest } from './conference-request.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const FOCUS_NICK = 'focus';

/** Another person in the room (the focus is never one). */
export interface Occupant {
  nick: string;
  displayName: string;
  audioMuted: boolean;
  videoMuted: boolean;
  screenSharing: boolean;
}

export interface RoomCallbacks {
  onJoin(o: Occupant): void;
  onUpdate(o: Occupant): void;
  onLeave(nick: string): void;
  onChat(fromNick: string, text: string): void;
  /** Our own join was refused (room locked, full, creation restricted). */
  onError(condition: string): void;
  /** The focus's presence: whether it found no bridge for this conference (`bridgeNotAvailable`). */
  onFocus(bridgeNotAvailable: boolean): void;
}

/** Our own state that goes out in presence. */
export interface LocalState {
  displayName: string;
  audioMuted: boolean;
  videoMuted: boolean;
  /** The video source carries a screen instead of the camera. */
  screenSharing?: boolean;
}

/** A random endpoint id: 8 hex characters, as lib-jitsi-meet makes them. */
export function newEndpointId(): string {
  const b = crypto.getRandomValues(new Uint8Array(4));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** One MUC conference room: the focus request, our presence with Jitsi's extensions, occupants, chat. */
export class ConferenceRoom {
  readonly roomJid: string;
  readonly nick: string;
  readonly #conn: XmppConnection;
  readonly #cb: RoomCallbacks;
  readonly #occupants = new Map<string, Occupant>();
  #state: LocalState;
  #joined = false;
  #unsubscribe: () => void;

  constructor(conn: XmppConnection, roomJid: string, nick: string, state: LocalState, cb: RoomCallbacks) {
    this.#conn = conn;
    this.roomJid = roomJid;
    this.nick = nick;
    this.#state = state;
    this.#cb = cb;
    this.#unsubscribe = conn.onStanza((s) => this.#onStanza(s));
  }

  get focusJid(): string {
    return `${this.roomJid}/${FOCUS_NICK}`;
  }

  /** Asks the focus to join the room; retries while it answers `ready="false"` (PROTOCOL.md §2). */
  async requestConference(focusDomain: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0, delay = 1000; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
      const reply = await sendConferenceRequest(this.#conn, focusDomain, this.roomJid, `conf-${attempt}-${Date.now()}`);
      if (reply.ready) return;
      if (signal.aborted) throw new Error('left before the focus was ready');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Sends the join presence (with `<x xmlns=muc>`). */
  async join(): Promise<void> {
    await this.#conn.send(this.#presence(true));
  }

  /** Re-sends presence with changed state (never with `<x xmlns=muc>` again). */
  async update(state: Partial<LocalState>): Promise<void> {
    this.#state = { ...this.#state, ...state };
    if (this.#joined) await this.#conn.send(this.#presence(false));
  }

  async sendChat(text: string): Promise<void> {
    await this.#conn.send(
      xmlElement('message', { to: this.roomJid, type: 'groupchat', id: `m${Date.now()}` }, [
        xmlElement('body', {}, [text]),
      ]),
    );
  }

  async leave(): Promise<void> {
    this.#unsubscribe();
    await this.#conn.send(xmlElement('presence', { to: `${this.roomJid}/${this.nick}`, type: 'unavailable' }));
  }

  occupants(): Occupant[] {
    return [...this.#occupants.values()];
  }

  #presence(withMuc: boolean): Element {
    const ep = this.nick;
    const sourceInfo: SourceInfoMap = new Map([
      [toSourceName(`${ep}-a0`), { muted: this.#state.audioMuted }],
      [
        toSourceName(`${ep}-v0`),
        this.#state.screenSharing === true ? { muted: false, videoType: 'desktop' } : { muted: this.#state.videoMuted },
      ],
    ]);
    const ext = buildParticipantPresence({
      statsId: `convene-${ep}`,
      sourceInfo,
      codecList: ['vp8'],
      nick: this.#state.displayName,
      audioMuted: this.#state.audioMuted,
      videoMuted: this.#state.videoMuted,
      features: [],
    });
    return xmlElement('presence', { to: `${this.roomJid}/${ep}` }, [
      withMuc && xmlElement('x', { xmlns: NS_MUC }),
      ...ext,
    ]);
  }

  #onFocusPresence(s: Element): void {
    try {
      this.#cb.onFocus(parseFocusPresence(s).bridgeNotAvailable);
    } catch (err) {
      console.warn('convene: focus presence ignored', err);
    }
  }

  #onStanza(s: Element): void {
    const from = String(s.attrs.from ?? '');
    if (!from.startsWith(`${this.roomJid}/`)) return; // room subject and anything not from an occupant
    const nick = from.slice(this.roomJid.length + 1);
    if (s.name === 'message' && s.attrs.type === 'groupchat') {
      const body = s.getChildText('body');
      if (body !== null && s.getChild('delay', 'urn:xmpp:delay') === undefined) this.#cb.onChat(nick, body);
      return;
    }
    if (s.name !== 'presence') return;
    if (s.attrs.type === 'error') {
      if (nick === this.nick) {
        const err = s.getChild('error');
        const cond = err?.getChildElements().find((c) => c.getNS() === 'urn:ietf:params:xml:ns:xmpp-stanzas');
        this.#cb.onError(cond?.name ?? 'unknown');
      }
      return;
    }
    if (nick === this.nick) {
      this.#joined = s.attrs.type !== 'unavailable';
      return;
    }
    if (nick === FOCUS_NICK || isFocusItem(s)) {
      if (nick === FOCUS_NICK && s.attrs.type !== 'unavailable') this.#onFocusPresence(s);
      return;
    }
    if (s.attrs.type === 'unavailable') {
      if (this.#occupants.delete(nick)) this.#cb.onLeave(nick);
      return;
    }
    let p;
    try {
      p = parseParticipantPresence(s);
    } catch (err) {
      console.warn('convene: SourceInfo ignored', err);
      p = parseParticipantPresence(stripBad(s));
    }
    const info = p.sourceInfo;
    const muted = (suffix: string, legacy: boolean | undefined) =>
      info?.get(toSourceName(`${nick}-${suffix}`))?.muted ?? legacy ?? false;
    const o: Occupant = {
      nick,
      displayName: p.nick ?? nick,
      audioMuted: muted('a0', p.audioMuted),
      videoMuted: muted('v0', p.videoMuted),
      screenSharing: info?.get(toSourceName(`${nick}-v0`))?.videoType === 'desktop',
    };
    const known = this.#occupants.has(nick);
    this.#occupants.set(nick, o);
    if (known) this.#cb.onUpdate(o);
    else this.#cb.onJoin(o);
  }
}

/** The occupant is the focus if its real JID's local part is `focus` (Convene and Jicofo both use it). */
function isFocusItem(s: Element): boolean {
  const jid = s.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs.jid as string | undefined;
  return jid !== undefined && jid.startsWith('focus@');
}

/** A presence without the extensions that failed to parse (someone else's client may send odd SourceInfo). */
function stripBad(s: Element): Element {
  const copy = xmlElement('presence', { ...s.attrs });
  for (const c of s.getChildElements()) if (c.name !== 'SourceInfo') copy.append(c);
  return copy;
}
