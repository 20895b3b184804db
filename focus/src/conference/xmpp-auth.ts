// Jicofo's XMPP-domain authentication ("secure domain", `jicofo.authentication { type = XMPP, login-url = <domain> }`):
// only a user logged in on the authentication domain (or a client holding the session such a login opened) may
// create a room; guests, on an anonymous domain, join rooms that exist. Sessions are what lib-jitsi-meet keeps in
// localStorage (`sessionId`) and sends back with its `machine-uid`: the login happens on a second connection, and the
// guest connection then presents the session, which makes that connection's JID the authenticated one.
import { randomUUID } from 'node:crypto';
import { sessionInvalidError, type ConferenceRequest } from '@convene/protocol/jitsi';
import { StanzaFailure } from '@convene/protocol/xml';
import { domainOf } from './requester.js';

export interface AuthSession {
  readonly id: string;
  readonly machineUid: string;
  /** The bare JID that logged in (the reply's `identity`). */
  readonly identity: string;
  /** The full JID that last presented the session: the one treated as authenticated (owner in its room). */
  userJid: string | undefined;
  lastUsed: number;
}

export interface XmppAuthOptions {
  /** The domain whose users are authenticated (Jicofo's `login-url` for type XMPP). */
  domain: string;
  /** A session unused this long is forgotten (Jicofo's `authentication-lifetime`, 24 h). */
  lifetimeMs: number;
  /** Sessions kept at most; the least recently used goes first (bounds what logged-in users can make us hold). */
  maxSessions?: number;
}

const DEFAULT_MAX_SESSIONS = 10_000;
/**
 * Sessions one identity keeps at most (its oldest goes first). Every session-less request from the authentication
 * domain opens one, as with Jicofo; without this bound one account could push everyone else's out of the store.
 */
const MAX_SESSIONS_PER_IDENTITY = 50;

function notAcceptable(text: string): StanzaFailure {
  return new StanzaFailure('auth-refused', { type: 'modify', condition: 'not-acceptable', text, extensions: [] });
}

/** The sessions of one focus and Jicofo's checks on a conference request. */
export class XmppAuthority {
  readonly #opts: XmppAuthOptions;
  /** By session id, least recently used first (Map order, moved on use). */
  readonly #sessions = new Map<string, AuthSession>();
  /** Full JID -> the session it presented last. */
  readonly #byJid = new Map<string, AuthSession>();
  /** Identity (bare JID) -> its sessions, oldest first. */
  readonly #byIdentity = new Map<string, Set<AuthSession>>();

  constructor(opts: XmppAuthOptions) {
    this.#opts = { ...opts, domain: opts.domain.toLowerCase() };
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Jicofo's order: a `session-id` must be known and come with its own `machine-uid` (else `not-acceptable`, with
   * `<session-invalid/>` for an unknown one); without one, a sender on the authentication domain opens a new
   * session (it needs a `machine-uid`). A session found or opened is bound to `sender` (its full JID, if known) and
   * returned for the reply's `session-id` and `identity`. Undefined: the request carries no authentication.
   */
  authenticate(
    req: Pick<ConferenceRequest, 'machineUid' | 'sessionId'>,
    sender: string | undefined,
    now = Date.now(),
  ): AuthSession | undefined {
    let session: AuthSession | undefined;
    if (req.sessionId !== undefined && req.sessionId !== '') {
      session = this.#sessions.get(req.sessionId);
      if (session === undefined) throw new StanzaFailure('session-invalid', sessionInvalidError());
      if (req.machineUid !== session.machineUid) throw notAcceptable('machine UID mismatch or empty');
    } else if (sender !== undefined && domainOf(sender) === this.#opts.domain) {
      if (req.machineUid === undefined || req.machineUid === '')
        throw notAcceptable("Missing mandatory attribute 'machine-uid'");
      session = this.#open(req.machineUid, sender.split('/')[0]!.toLowerCase());
    }
    if (session === undefined) return undefined;
    this.#touch(session, now);
    if (sender !== undefined && session.userJid !== sender) {
      if (session.userJid !== undefined && this.#byJid.get(session.userJid) === session)
        this.#byJid.delete(session.userJid);
      session.userJid = sender;
      this.#byJid.set(sender, session);
    }
    return session;
  }

  /** Whether `fullJid` presented a live session (Jicofo gives such members owner). */
  isAuthenticated(fullJid: string): boolean {
    return this.#byJid.has(fullJid);
  }

  /** The logout IQ: forgets the session; false when it is unknown. */
  logout(sessionId: string): boolean {
    const s = this.#sessions.get(sessionId);
    if (s === undefined) return false;
    this.#drop(s);
    return true;
  }

  /** Forgets sessions unused for the lifetime; returns how many. */
  expire(now = Date.now()): number {
    let n = 0;
    for (const s of this.#sessions.values()) {
      if (now - s.lastUsed < this.#opts.lifetimeMs) break; // least recently used first
      this.#drop(s);
      n++;
    }
    return n;
  }

  #open(machineUid: string, identity: string): AuthSession {
    const mine = this.#byIdentity.get(identity) ?? new Set<AuthSession>();
    this.#byIdentity.set(identity, mine);
    for (const old of mine) {
      if (mine.size < MAX_SESSIONS_PER_IDENTITY) break;
      this.#drop(old);
    }
    const s: AuthSession = { id: randomUUID(), machineUid, identity, userJid: undefined, lastUsed: 0 };
    this.#sessions.set(s.id, s);
    mine.add(s);
    const max = this.#opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    for (const old of this.#sessions.values()) {
      if (this.#sessions.size <= max) break;
      this.#drop(old);
    }
    return s;
  }

  #touch(s: AuthSession, now: number): void {
    s.lastUsed = now;
    this.#sessions.delete(s.id);
    this.#sessions.set(s.id, s);
  }

  #drop(s: AuthSession): void {
    this.#sessions.delete(s.id);
    const mine = this.#byIdentity.get(s.identity);
    mine?.delete(s);
    if (mine?.size === 0) this.#byIdentity.delete(s.identity);
    if (s.userJid !== undefined && this.#byJid.get(s.userJid) === s) this.#byJid.delete(s.userJid);
  }
}
