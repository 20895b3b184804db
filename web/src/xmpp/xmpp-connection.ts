import type { Element } from 'ltx';
import { client, xml, type Client } from '@xmpp/client';

const NS_SM = 'urn:xmpp:sm:3';
/** The socket and the login together get this long. */
const CONNECT_TIMEOUT_MS = 15_000;

/** A stanza handler; returns nothing. Errors are reported through `onError`. */
export type StanzaListener = (stanza: Element) => void;

/** Rebuilds an ltx element (protocol/ builders) as xmpp.js's own Element class, which its iq caller expects. */
export function toXmpp(el: Element): Element {
  return xml(el.name, { ...el.attrs }, ...el.children.map((c) => (typeof c === 'string' ? c : toXmpp(c))));
}

/**
 * XMPP over WebSocket with xmpp.js (`@xmpp/client`, bundled by esbuild), anonymous login. One connection per
 * page; no reconnect: a dropped stream ends the call (`onClose`).
 */
export class XmppConnection {
  readonly #entity: Client;
  readonly jid: string;
  readonly #listeners = new Set<StanzaListener>();
  #closed = false;

  private constructor(entity: Client, jid: string, onClose: (reason: string) => void) {
    this.#entity = entity;
    this.jid = jid;
    entity.on('stanza', (s: Element) => {
      for (const fn of this.#listeners) {
        try {
          fn(s);
        } catch (err) {
          // One odd stanza from someone else's client must not stop the others being handled.
          console.error('convene: stanza handler failed', err, s.toString());
        }
      }
    });
    entity.on('offline', () => {
      if (!this.#closed) onClose('the XMPP connection closed');
      this.#closed = true;
    });
  }

  /**
   * Connects to `domain` at `service` (ws:// or wss:// URL of Prosody's /xmpp-websocket): anonymously, or as a
   * user with `credentials` (SCRAM-SHA-1 when offered, as Strophe in jitsi-meet: the password never travels).
   */
  static async connect(
    service: string,
    domain: string,
    onClose: (reason: string) => void,
    credentials?: { username: string; password: string },
  ): Promise<XmppConnection> {
    const entity = client({
      service,
      domain,
      ...(credentials === undefined
        ? {}
        : {
            credentials: (
              auth: (c: { username: string; password: string }, mechanism: string) => Promise<void>,
              mechanisms: string[],
            ) => auth(credentials, mechanisms.includes('SCRAM-SHA-1') ? 'SCRAM-SHA-1' : (mechanisms[0] ?? '')),
          }),
    });
    entity.reconnect.stop();
    let smOffered = false;
    entity.on('element', (el: Element) => {
      if (el.name === 'stream:features') smOffered = el.getChild('sm', NS_SM) !== undefined;
    });
    entity.on('error', () => undefined); // start() rejects with the same error; later ones end in 'offline'
    let jid: Awaited<ReturnType<typeof entity.start>>;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // xmpp.js waits for the socket and the login without a deadline of its own.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer from the XMPP server')), CONNECT_TIMEOUT_MS);
      });
      jid = await Promise.race([entity.start(), timeout]);
    } catch (err) {
      // A refused login (SASL failure) leaves the WebSocket open: close it, or each wrong password leaks one.
      await entity.stop().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    // xmpp.js 0.14 counts stanzas that race <enabled/> and then acks fewer than Prosody sent, which makes
    // Prosody close the stream: send nothing until stream management is enabled.
    const sm = (entity as unknown as { streamManagement?: { enabled: boolean } }).streamManagement;
    for (let i = 0; smOffered && sm !== undefined && !sm.enabled && i < 200; i++)
      await new Promise((r) => setTimeout(r, 10));
    return new XmppConnection(entity, jid.toString(), onClose);
  }

  /** Every incoming stanza (presence, message, IQ) goes to `fn`; returns the unsubscribe function. */
  onStanza(fn: StanzaListener): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** Answers IQ gets for `<name xmlns=ns>` with the element `handler` returns. */
  onIqGet(ns: string, name: string, handler: (stanza: Element, payload: Element) => Element): void {
    this.#entity.iqCallee.get(ns, name, ({ stanza, element }) => toXmpp(handler(stanza, element)));
  }

  /** Acks IQ sets for `<name xmlns=ns>` with a result at once and hands them to `handler` (which must not throw). */
  onIqSet(ns: string, name: string, handler: (stanza: Element, payload: Element) => void): void {
    this.#entity.iqCallee.set(ns, name, ({ stanza, element }) => {
      handler(stanza, element);
      return true;
    });
  }

  send(stanza: Element): Promise<void> {
    return this.#entity.send(toXmpp(stanza));
  }

  /** Sends an IQ and resolves with the result; an error reply rejects with xmpp.js's StanzaError (`condition`). */
  request(iq: Element, timeoutMs = 10_000): Promise<Element> {
    return this.#entity.iqCaller.request(toXmpp(iq), timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#entity.stop();
  }
}
