import { buildServicesQuery, iceServersOf, parseExternalServices } from '@convene/protocol/jitsi';
import { xmlElement } from '@convene/protocol/xml';
import type { Element } from 'ltx';

/** What this needs of the XMPP connection (XmppConnection.request). */
export interface IqRequester {
  request(iq: Element, timeoutMs: number): Promise<Element>;
}

/** How long a page waits for the server's answer before it connects without TURN. */
const QUERY_TIMEOUT_MS = 5000;
/** Credentials are asked again this long before they expire (a session-initiate after a restart, hours later). */
const REFRESH_BEFORE_MS = 60_000;
/** After an error or a timeout, sessions go without TURN for this long before the server is asked again. */
const RETRY_AFTER_MS = 5 * 60_000;

/**
 * The STUN/TURN servers the XMPP server hands out (XEP-0215, extdisco:2), as lib-jitsi-meet asks for them: with
 * `npm start -- --turn` or a deployment's coturn, Prosody answers with time-limited TURN credentials. A server
 * without TURN answers `service-unavailable`, a slow one is given 5 s: either way the call goes on without TURN, and
 * the server is asked again 5 minutes later.
 */
export class IceServers {
  readonly #conn: IqRequester;
  readonly #domain: string;
  #pending: Promise<RTCIceServer[]> | undefined;
  #expiresAt = 0;
  /** Why the last answer gave no server (`service-unavailable`, a timeout), for the console; '' when it gave some. */
  lastError = '';

  constructor(conn: IqRequester, domain: string) {
    this.#conn = conn;
    this.#domain = domain;
  }

  /** The servers to use now: asked once, and again when their credentials are about to expire. */
  get(now = Date.now()): Promise<RTCIceServer[]> {
    if (this.#pending === undefined || now > this.#expiresAt - REFRESH_BEFORE_MS) this.#pending = this.#ask(now);
    return this.#pending;
  }

  async #ask(now: number): Promise<RTCIceServer[]> {
    // Until the answer is in, a second caller shares this request rather than starting another.
    this.#expiresAt = Number.POSITIVE_INFINITY;
    try {
      const iq = xmlElement('iq', { type: 'get', to: this.#domain }, [buildServicesQuery()]);
      const reply = await this.#conn.request(iq, QUERY_TIMEOUT_MS);
      const services = parseExternalServices(reply.getChild('services') ?? reply);
      const expiries = services.flatMap((s) => (s.expiresAt === undefined ? [] : [s.expiresAt]));
      this.#expiresAt = expiries.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...expiries);
      this.lastError = '';
      return iceServersOf(services);
    } catch (err) {
      // Not asked again at every session: a server that does not answer would hold each one up by the timeout.
      this.#expiresAt = now + RETRY_AFTER_MS + REFRESH_BEFORE_MS;
      this.lastError = (err as { condition?: string }).condition ?? (err as Error).message ?? String(err);
      return [];
    }
  }
}
