import { randomUUID } from 'node:crypto';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { xmlElement } from '@convene/protocol/xml';
import { ConveneError, TypedEmitter } from '@convene/protocol/lib';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import { isOccupantPresence, occupantFrom, statusCodes, type Occupant } from './occupant.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const NS_DATA = 'jabber:x:data';
const STATUS_SELF = 110;
const STATUS_CREATED = 201;

export type MucRoomEvents = {
  memberjoin: [Occupant];
  memberupdate: [Occupant];
  memberleave: [Occupant];
  /** The focus is no longer in the room (destroyed, kicked); the room object is dead. */
  gone: [];
};

export interface MucRoomOptions {
  roomJid: string;
  nick: string;
  /** The focus's real bare JID, e.g. `focus@focus.meet.localhost`. */
  focusJid: string;
  log: Logger;
  joinTimeoutMs?: number;
}

/** The focus's presence in one MUC room: joins as owner, configures, tracks occupants (PROTOCOL.md §3). */
export class MucRoom extends TypedEmitter<MucRoomEvents> {
  readonly roomJid: string;
  readonly nick: string;
  readonly occupants = new Map<string, Occupant>();
  /** `muc#roominfo_meetingId` when the room has one (Jitsi's mod_muc_meeting_id), else a fresh UUID. */
  meetingId = '';
  /** A breakout room's main room (`muc#roominfo_breakout_main_room`, Prosody's muc_breakout_rooms), lower case. */
  breakoutOf: string | undefined;
  /** Presences from the room that were not an occupant's (no nick, or no muc#user element): ignored. */
  ignoredPresences = 0;
  readonly #conn: FocusConnection;
  readonly #fullJid: string;
  readonly #log: Logger;
  readonly #joinTimeoutMs: number;
  #extensions: Element[] = [];
  #joined: { resolve: (p: Element) => void; reject: (e: Error) => void } | undefined;
  /** While rejoining: the occupant presences Prosody sends before our self-presence, to reconcile against. */
  #listed: Element[] | undefined;
  #left = false;

  constructor(conn: FocusConnection, options: MucRoomOptions) {
    super((err, event) => options.log.error({ err, event }, 'listener threw'));
    this.#conn = conn;
    this.roomJid = options.roomJid;
    this.nick = options.nick;
    this.#fullJid = `${options.focusJid}/${options.nick}`;
    this.#log = options.log;
    this.#joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
  }

  get ownJid(): string {
    return this.#fullJid;
  }

  get occupantJid(): string {
    return `${this.roomJid}/${this.nick}`;
  }

  /** Joins (creating the room if needed), then submits whois=anyone and reads the meeting id. */
  async join(extensions: Element[] = []): Promise<void> {
    this.#extensions = extensions;
    await this.#enter();
    await this.#configure(true);
    this.#log.info({ meetingId: this.meetingId }, 'room joined');
  }

  /**
   * Joins again after a reconnect. Prosody answers a join carrying `<x xmlns=muc>` with the full occupant list, then
   * our self-presence, whether it still held our occupant (a component's drop) or not (a restart, status 201: the
   * room was made anew). Whoever we tracked and is not in that list left while we were away: `memberleave`.
   */
  async rejoin(): Promise<void> {
    if (this.#left) return;
    this.#listed = [];
    let self: Element;
    try {
      self = await this.#enter();
    } finally {
      // No self-presence (timeout, error): what did arrive still counts, as ordinary presence.
      const unreconciled = this.#listed ?? [];
      this.#listed = undefined;
      for (const p of unreconciled) this.#apply(p);
    }
    if (statusCodes(self).includes(STATUS_CREATED)) await this.#configure(false);
  }

  /** Reads the meeting id (`readMeetingId`) and submits whois=anyone. */
  async #configure(readMeetingId: boolean): Promise<void> {
    const form = await this.#conn.request(
      xmlElement('iq', { type: 'get', to: this.roomJid, from: this.#fullJid }, [
        xmlElement('query', { xmlns: NS_MUC_OWNER }),
      ]),
    );
    if (readMeetingId) this.meetingId = readField(form, 'muc#roominfo_meetingId') || randomUUID();
    this.breakoutOf = readField(form, 'muc#roominfo_breakout_main_room').toLowerCase() || undefined;
    await this.#conn.request(
      xmlElement('iq', { type: 'set', to: this.roomJid, from: this.#fullJid }, [
        xmlElement('query', { xmlns: NS_MUC_OWNER }, [
          xmlElement('x', { xmlns: NS_DATA, type: 'submit' }, [
            field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig', 'hidden'),
            field('muc#roomconfig_whois', 'anyone'),
          ]),
        ]),
      ]),
    );
  }

  /** Re-sends our presence with new extensions; never with `<x xmlns=muc>` again (PROTOCOL.md §3.1). */
  async setExtensions(extensions: Element[]): Promise<void> {
    this.#extensions = extensions;
    if (this.#left) return;
    await this.#conn.send(xmlElement('presence', { from: this.#fullJid, to: this.occupantJid }, extensions));
  }

  async grantOwner(realJid: string): Promise<void> {
    const bare = realJid.split('/')[0] ?? realJid;
    await this.#conn.request(
      xmlElement('iq', { type: 'set', to: this.roomJid, from: this.#fullJid }, [
        xmlElement('query', { xmlns: NS_MUC_ADMIN }, [xmlElement('item', { affiliation: 'owner', jid: bare })]),
      ]),
    );
  }

  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    await this.#conn.send(xmlElement('presence', { from: this.#fullJid, to: this.occupantJid, type: 'unavailable' }));
    this.occupants.clear();
  }

  /** Every presence from this room reaches the room through here. */
  handlePresence(presence: Element): void {
    const from = String(presence.attrs.from ?? '');
    const type = presence.attrs.type as string | undefined;
    const isSelf = from === this.occupantJid;
    if (type === 'error') {
      if (isSelf || from === this.roomJid)
        this.#joined?.reject(new ConveneError('muc-join-failed', errorText(presence)));
      return;
    }
    if (isSelf) {
      if (type === 'unavailable') {
        if (!this.#left) {
          this.#left = true;
          this.#log.warn({ codes: statusCodes(presence) }, 'focus removed from room');
          this.occupants.clear();
          this.emit('gone');
        }
      } else {
        if (this.#listed !== undefined) this.#reconcile(presence);
        this.#joined?.resolve(presence);
      }
      return;
    }
    if (!isOccupantPresence(presence)) {
      // The room's own presence (ejabberd, from the bare room address) or one without muc#user: no occupant.
      this.ignoredPresences++;
      return;
    }
    if (statusCodes(presence).includes(STATUS_SELF)) return;
    if (this.#listed !== undefined) this.#listed.push(presence);
    else this.#apply(presence);
  }

  /** Our rejoin's self-presence arrived: the list before it is complete. Leavers go first, then the list applies. */
  #reconcile(self: Element): void {
    const listed = this.#listed ?? [];
    this.#listed = undefined;
    const present = new Set<string>();
    for (const p of listed) {
      const { nick } = occupantFrom(p);
      if (p.attrs.type === undefined) present.add(nick);
      else present.delete(nick);
    }
    const gone = [...this.occupants.values()].filter((o) => !present.has(o.nick));
    this.#log.info(
      { listed: present.size, left: gone.length, created: statusCodes(self).includes(STATUS_CREATED) },
      'room rejoined',
    );
    for (const o of gone) {
      this.occupants.delete(o.nick);
      this.emit('memberleave', o);
    }
    for (const p of listed) this.#apply(p);
  }

  #apply(presence: Element): void {
    const type = presence.attrs.type as string | undefined;
    const occupant = occupantFrom(presence);
    if (type === 'unavailable') {
      const known = this.occupants.get(occupant.nick);
      if (known !== undefined) {
        this.occupants.delete(occupant.nick);
        this.emit('memberleave', known);
      }
      return;
    }
    if (type !== undefined) return;
    const known = this.occupants.get(occupant.nick);
    if (known !== undefined && known.jid !== occupant.jid) {
      // The nick is someone else's now (they left and another session took it while we were away).
      this.occupants.delete(occupant.nick);
      this.emit('memberleave', known);
    }
    const update = this.occupants.has(occupant.nick);
    this.occupants.set(occupant.nick, occupant);
    this.emit(update ? 'memberupdate' : 'memberjoin', occupant);
  }

  /** Sends our join presence and resolves with our self-presence once we are owner. */
  async #enter(): Promise<Element> {
    const self = new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ConveneError('muc-join-timeout', `no presence from ${this.roomJid} within ${this.#joinTimeoutMs} ms`),
          ),
        this.#joinTimeoutMs,
      );
      this.#joined = {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
    await this.#conn.send(
      xmlElement('presence', { from: this.#fullJid, to: this.occupantJid }, [
        xmlElement('x', { xmlns: NS_MUC }),
        ...this.#extensions,
      ]),
    );
    const presence = await self;
    this.#joined = undefined;
    const item = presence.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item');
    if (item?.attrs.affiliation !== 'owner') {
      throw new ConveneError(
        'muc-not-owner',
        `focus is ${String(item?.attrs.affiliation)} in ${this.roomJid}, not owner`,
      );
    }
    return presence;
  }
}

function field(name: string, value: string, type?: string): Element {
  return xmlElement('field', { var: name, type }, [xmlElement('value', {}, [value])]);
}

function readField(iq: Element, name: string): string {
  const form = iq.getChild('query', NS_MUC_OWNER)?.getChild('x', NS_DATA);
  const f = form?.getChildren('field').find((x) => x.attrs.var === name);
  return f?.getChildText('value')?.trim() ?? '';
}

function errorText(presence: Element): string {
  const error = presence.getChild('error');
  const condition = error?.children.find((c) => typeof c !== 'string' && c.name !== 'text');
  const text = error?.getChildText('text');
  return `${typeof condition === 'string' || condition === undefined ? 'error' : condition.name}${text ? `: ${text}` : ''}`;
}
