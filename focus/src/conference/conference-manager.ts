import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { parseJingleIq } from '@convene/protocol/jingle';
import {
  buildConferenceReply,
  parseConferenceRequest,
  sessionInvalidError,
  type ConferenceReply,
  type ConferenceRequest,
} from '@convene/protocol/jitsi';
import { ProtocolError } from '@convene/protocol/lib';
import { NS_FOCUS, NS_JINGLE, NS_JINGLE_ERRORS, optAttr, xmlElement } from '@convene/protocol/xml';
import type { Brewery } from '../bridges/brewery.js';
import type { Bridge } from '../bridges/bridge.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import { StanzaFailure } from '@convene/protocol/xml';
import { Conference, type ConferenceOptions } from './conference.js';
import { FeatureDiscovery, type FeatureDiscoveryOptions } from './features.js';
import { CreationLimiter } from './creation-limiter.js';
import { limitKeysOf, senderJidOf, type Requester } from './requester.js';
import { XmppAuthority, type XmppAuthOptions } from './xmpp-auth.js';
import { ModerationHandler } from './moderation-handler.js';
import { startMutedLimits } from './start-muted.js';
import type { Participant } from './participant.js';

export interface ConferenceManagerOptions extends ConferenceOptions, FeatureDiscoveryOptions {
  /** The MUC service rooms must be on, e.g. `conference.meet.localhost`. */
  mucDomain: string;
  /** Jitsi's breakout rooms' MUC service, e.g. `breakout.meet.localhost`: rooms there are served too. */
  breakoutMucDomain?: string;
  /** Prosody's av_moderation component (`avmoderation.<domain>`): its messages only are trusted. */
  avModerationComponent?: string;
  /** A conference nobody joins within this time is dropped (Jicofo's initial-timeout). */
  initialTimeoutMs: number;
  /** Conferences at most; new rooms beyond it are refused with `resource-constraint`. */
  maxConferences: number;
  /** New conferences per requester per window (floods of fresh room names). */
  newConferencesPerRequester: number;
  /** New conferences per window from all the JIDs of one anonymous domain together. */
  newConferencesPerAnonymousDomain: number;
  newConferenceWindowMs: number;
  /** Domains whose JIDs anyone can get afresh (anonymous login): their requests also share a domain-wide limit. */
  anonymousDomains: readonly string[];
  /** Client mode: the client_proxy component (`focus.<domain>`) whose stanzas carry the sender in the resource. */
  clientProxy?: string;
  /** Jicofo's XMPP-domain authentication (secure domain); undefined: anyone may create a room. */
  authentication?: XmppAuthOptions;
}

/** How often sessions past their lifetime are forgotten (Jicofo: every 10 s). */
const AUTH_EXPIRY_INTERVAL_MS = 10_000;

/** The local part of a room JID: XMPP nodeprep forbids these characters (RFC 7622 §3.3.1), and 1023 bytes at most. */
const ROOM_NAME_FORBIDDEN = /[\s"&'/:<>@\p{Cc}]/u;

/** Every conference of this focus: answers conference requests and routes Jingle IQs to their session. */
export class ConferenceManager {
  readonly conferences = new Map<string, Conference>();
  readonly #sessions = new Map<string, { conference: Conference; participant: Participant }>();
  readonly #conn: FocusConnection;
  readonly #brewery: Brewery;
  readonly #options: ConferenceManagerOptions;
  readonly #log: Logger;
  readonly discovery: FeatureDiscovery;
  /** Mute requests and AV moderation. */
  readonly moderation: ModerationHandler;
  readonly #limiter: CreationLimiter;
  readonly #anonymousLimiter: CreationLimiter;
  readonly #anonymousDomains: ReadonlySet<string>;
  /** Secure domain: who may create rooms and who is owner (undefined: everyone, first member owner). */
  readonly auth: XmppAuthority | undefined;
  readonly #authTimer: NodeJS.Timeout | undefined;
  /** Totals for /stats and /metrics. */
  readonly totals = {
    conferencesCreated: 0,
    conferenceRequests: 0,
    participants: 0,
    requestsRefused: 0,
    participantsMoved: 0,
  };
  /** Told each participant's join time, seconds from its MUC join to its first session-accept (the histogram). */
  readonly joinObservers = new Set<(seconds: number) => void>();
  /** Failed Colibri2 requests by condition (`bad-reply` for garbage, `timeout`, the bridge's error conditions). */
  readonly colibriErrors = new Map<string, number>();

  constructor(conn: FocusConnection, brewery: Brewery, options: ConferenceManagerOptions, log: Logger) {
    this.#conn = conn;
    this.#brewery = brewery;
    this.#options = options;
    this.#log = log;
    this.discovery = new FeatureDiscovery(conn, log, options);
    this.#limiter = new CreationLimiter(options.newConferencesPerRequester, options.newConferenceWindowMs);
    this.#anonymousLimiter = new CreationLimiter(
      options.newConferencesPerAnonymousDomain,
      options.newConferenceWindowMs,
    );
    this.#anonymousDomains = new Set(options.anonymousDomains.map((d) => d.toLowerCase()));
    conn.route('set', NS_FOCUS, 'conference', (stanza, payload) => this.#onConferenceIq(stanza, payload));
    if (options.authentication !== undefined) {
      const auth = new XmppAuthority(options.authentication);
      this.auth = auth;
      this.#authTimer = setInterval(() => auth.expire(), AUTH_EXPIRY_INTERVAL_MS).unref();
      conn.route('set', NS_FOCUS, 'logout', (_stanza, payload) => {
        if (!auth.logout(optAttr(payload, 'session-id') ?? ''))
          throw new StanzaFailure('session-invalid', sessionInvalidError());
        return Promise.resolve(xmlElement('logout', { xmlns: NS_FOCUS }));
      });
    }
    conn.route('set', NS_JINGLE, 'jingle', (stanza) => this.#onJingle(stanza));
    this.moderation = new ModerationHandler(conn, this.conferences, options.avModerationComponent, log);
    conn.on('presence', (p) => this.#dispatchPresence(p));
    // Rejoining reconciles the room (MucRoom.rejoin): whoever left while we were away leaves the conference too.
    conn.on('online', () => {
      for (const c of this.conferences.values()) void this.#rejoin(c);
    });
    brewery.on('bridgedown', (b) => {
      for (const c of this.conferences.values()) c.onBridgeDown(b);
    });
    brewery.on('bridgeup', () => {
      for (const c of this.conferences.values()) c.onBridgeUp();
    });
  }

  /**
   * The conference request, over XMPP or HTTP: joins the room (once) and says whether the focus is ready.
   * `requester` (JID or HTTP client address) is what the new-conference limits count against.
   */
  async request(req: ConferenceRequest, requester: Requester): Promise<ConferenceReply> {
    this.totals.conferenceRequests++;
    const room = req.room.toLowerCase();
    const at = room.indexOf('@');
    const service = room.slice(at + 1);
    const breakout = service === this.#options.breakoutMucDomain;
    if (at <= 0 || room.includes('/') || (service !== this.#options.mucDomain && !breakout)) {
      throw new ProtocolError('bad-room', `room must be <name>@${this.#options.mucDomain}, got "${req.room}"`);
    }
    const name = room.slice(0, at);
    if (name === '' || ROOM_NAME_FORBIDDEN.test(name) || Buffer.byteLength(name) > 1023)
      throw new ProtocolError('bad-room', `"${req.room}" is not a valid room JID`);
    const reply: ConferenceReply = {
      room,
      ready: false,
      focusJid: this.#options.focusJid,
      properties:
        this.auth === undefined
          ? { authentication: 'false', 'visitors-supported': 'false' }
          : { authentication: 'true', externalAuth: 'false', 'visitors-supported': 'false' },
    };
    let conference = this.conferences.get(room);
    const exists = conference !== undefined && !conference.ended;
    // Jicofo: no login needed for a main room whose breakout rooms are still on (everyone may come back), nor for
    // a breakout room. Jicofo relies on Prosody's muc_breakout_rooms there, which destroys any breakout room a
    // moderator did not make; without it (our own Prosody) anyone could make one, so a new breakout room is let in
    // without a login only once the focus sees its configuration name a live main room (`vouch`).
    let vouch = false;
    if (this.auth !== undefined && !(!exists && this.#hasBreakoutRooms(room))) {
      try {
        if (!breakout || !exists) this.#authenticate(this.auth, req, requester, reply, exists ? conference : undefined);
      } catch (err) {
        if (!breakout || !(err instanceof StanzaFailure) || err.stanzaError.condition !== 'not-authorized') throw err;
        vouch = true;
        this.totals.requestsRefused--; // counted when (and if) the room proves no breakout room
      }
    }
    if (conference === undefined || conference.ended) {
      this.#checkLimits(room, requester);
      conference = this.#create(room);
      conference.mutes.startMuted = startMutedLimits(req.properties);
    }
    try {
      await conference.ready;
      reply.ready = true;
    } catch (err) {
      // Never an IQ error for a transient problem: the client retries on ready=false (PROTOCOL.md §2).
      this.#log.warn({ err, room }, 'could not join room');
      this.conferences.delete(room);
    }
    if (vouch && !this.#isLiveMain(conference.room.breakoutOf)) {
      this.#log.info({ room }, 'breakout room of no main room refused without a login');
      await conference.end();
      this.totals.requestsRefused++;
      throw new StanzaFailure('not-authorized', {
        type: 'auth',
        condition: 'not-authorized',
        text: 'not a breakout room of a live conference',
        extensions: [],
      });
    }
    return reply;
  }

  /** Whether `room` is a live conference on the main MUC service. */
  #isLiveMain(room: string | undefined): boolean {
    if (room === undefined || !room.endsWith(`@${this.#options.mucDomain}`)) return false;
    const c = this.conferences.get(room);
    return c !== undefined && !c.ended;
  }

  /**
   * Jicofo's checks with authentication on (xmpp-auth.ts): a presented or newly opened session goes into the reply
   * and makes its JID owner in the room; a room that does not exist yet is created only for an authenticated
   * requester (`not-authorized` otherwise, which lib-jitsi-meet shows as "authentication required").
   */
  #authenticate(
    auth: XmppAuthority,
    req: ConferenceRequest,
    requester: Requester,
    reply: ConferenceReply,
    existing?: Conference,
  ): void {
    const sender = senderJidOf(requester, this.#options.clientProxy);
    const session = auth.authenticate(req, sender);
    if (session !== undefined) {
      reply.sessionId = session.id;
      reply.identity = session.identity;
      existing?.onAuthenticated();
      return;
    }
    if (existing !== undefined || (sender !== undefined && auth.isAuthenticated(sender))) return;
    this.totals.requestsRefused++;
    throw new StanzaFailure('not-authorized', {
      type: 'auth',
      condition: 'not-authorized',
      text: 'not authorized user domain',
      extensions: [],
    });
  }

  /** Whether a live breakout room names `room` its main room (its configuration, set by Prosody's module). */
  #hasBreakoutRooms(room: string): boolean {
    const service = `@${this.#options.breakoutMucDomain ?? ''}`;
    for (const c of this.conferences.values())
      if (!c.ended && c.roomJid.endsWith(service) && c.room.breakoutOf === room) return true;
    return false;
  }

  /** A bridge failed a health check: every conference on it moves. */
  bridgeFailed(bridge: Bridge): void {
    for (const c of this.conferences.values()) c.onBridgeDown(bridge);
  }

  /** Ends every conference (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#authTimer);
    await Promise.all([...this.conferences.values()].map((c) => c.end()));
  }

  get participantCount(): number {
    let n = 0;
    for (const c of this.conferences.values()) n += c.participants.size;
    return n;
  }

  /** Not back in the room (not owner, no answer): the conference cannot go on; the next request starts a new one. */
  async #rejoin(c: Conference): Promise<void> {
    try {
      await c.room.rejoin();
    } catch (err) {
      this.#log.warn({ err, room: c.roomJid }, 'rejoin failed; ending conference');
      await c.end().catch((e: unknown) => this.#log.warn({ err: e, room: c.roomJid }, 'could not end conference'));
    }
  }

  #checkLimits(room: string, requester: Requester): void {
    const keys = limitKeysOf(requester, this.#anonymousDomains, this.#options.clientProxy);
    const now = Date.now();
    const window = `per ${this.#options.newConferenceWindowMs} ms`;
    let why: string | undefined;
    if (this.conferences.size >= this.#options.maxConferences)
      why = `at most ${this.#options.maxConferences} conferences`;
    else if (!this.#limiter.allows(keys.requester, now))
      why = `at most ${this.#options.newConferencesPerRequester} new conferences ${window}`;
    else if (keys.anonymousDomain !== undefined && !this.#anonymousLimiter.allows(keys.anonymousDomain, now))
      why = `at most ${this.#options.newConferencesPerAnonymousDomain} new conferences ${window} from ${keys.anonymousDomain}`;
    if (why === undefined) {
      this.#limiter.record(keys.requester, now);
      if (keys.anonymousDomain !== undefined) this.#anonymousLimiter.record(keys.anonymousDomain, now);
      return;
    }
    this.totals.requestsRefused++;
    this.#log.warn({ room, requester: keys.requester, why }, 'conference request refused');
    throw new StanzaFailure('too-many-conferences', {
      type: 'wait',
      condition: 'resource-constraint',
      text: why,
      extensions: [],
    });
  }

  #create(room: string): Conference {
    const auth = this.auth;
    const conference = new Conference(room, this.#options, {
      conn: this.#conn,
      brewery: this.#brewery,
      discovery: this.discovery,
      sessions: this.#sessions,
      log: this.#log,
      countColibriError: (condition) => this.colibriErrors.set(condition, (this.colibriErrors.get(condition) ?? 0) + 1),
      countMoved: (n) => (this.totals.participantsMoved += n),
      observeJoin: (seconds) => this.joinObservers.forEach((o) => o(seconds)),
      ...(auth === undefined ? {} : { authenticated: (jid: string) => auth.isAuthenticated(jid) }),
    });
    this.conferences.set(room, conference);
    this.totals.conferencesCreated++;
    conference.room.on('memberjoin', () => this.totals.participants++);
    const forget = conference.on('ended', () => {
      forget();
      if (this.conferences.get(room) === conference) this.conferences.delete(room);
    });
    conference.ready.then(
      () => {
        setTimeout(() => {
          if (conference.participants.size === 0 && !conference.ended) {
            this.#log.info({ room }, 'nobody joined; ending conference');
            void conference.end();
          }
        }, this.#options.initialTimeoutMs).unref();
      },
      () => undefined,
    );
    return conference;
  }

  async #onConferenceIq(stanza: Element, payload: Element): Promise<Element> {
    const reply = await this.request(parseConferenceRequest(payload), {
      kind: 'xmpp',
      jid: String(stanza.attrs.from ?? ''),
    });
    return buildConferenceReply(reply);
  }

  async #onJingle(stanza: Element): Promise<Element | undefined> {
    const { iq, jingle } = parseJingleIq(stanza);
    const entry = this.#sessions.get(jingle.sid);
    if (entry === undefined || entry.participant.occupant.occupantJid !== iq.from) {
      throw new StanzaFailure('unknown-session', {
        type: 'cancel',
        condition: 'item-not-found',
        extensions: [xmlElement('unknown-session', { xmlns: NS_JINGLE_ERRORS })],
      });
    }
    await entry.conference.onJingle(entry.participant, jingle);
    return undefined;
  }

  #dispatchPresence(presence: Element): void {
    const from = String(presence.attrs.from ?? '');
    const bare = from.split('/')[0] ?? '';
    const conference = this.conferences.get(bare);
    if (conference !== undefined) conference.room.handlePresence(presence);
  }
}
