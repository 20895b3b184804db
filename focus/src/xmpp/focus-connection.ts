import { TypedEmitter } from '@convene/protocol/lib';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { component, xml, type Component } from '@xmpp/component';
import { client } from '@xmpp/client';
import { answerIq, rebuildElement } from '@convene/protocol/xml';
import { IqError } from './iq-error.js';

export interface FocusConnectionOptions {
  /**
   * `component`: an XEP-0114 component owning `domain` (Convene's default). `client`: the `focus@auth.<domain>`
   * account that Jitsi's client_proxy forwards `focus.<domain>` to, for a Jitsi Prosody left as it is.
   */
  mode: 'component' | 'client';
  /** `xmpp://host:port`: Prosody's component listener, or c2s in client mode. */
  service: string;
  /** The component's domain (`focus.meet.localhost`), or the account's domain (`auth.meet.localhost`). */
  domain: string;
  /** Client mode: the account's local part and resource. */
  username?: string;
  resource?: string;
  /** Component secret, or the account's password. */
  secret: string;
  log: Logger;
}

const NS_SM = 'urn:xmpp:sm:3';

export type FocusConnectionEvents = {
  /** Connected and authenticated, first time and after every reconnect. */
  online: [];
  offline: [];
  presence: [Element];
  message: [Element];
};

export type IqHandler = (stanza: Element, payload: Element) => Promise<Element | undefined>;

/** The focus's XEP-0114 connection: IQ routes with typed errors, requests with timeouts, reconnects by itself. */
export class FocusConnection extends TypedEmitter<FocusConnectionEvents> {
  readonly domain: string;
  readonly #entity: Component;
  readonly #log: Logger;
  /** IQ handlers that threw, by error code: read by metrics. */
  readonly iqErrors = new Map<string, number>();
  /** Requests made while the connection is down, waiting for it to be back (or stopped). */
  readonly #waiting = new Set<{ resolve: () => void; reject: (err: Error) => void }>();

  constructor(options: FocusConnectionOptions) {
    super((err, event) => options.log.error({ err, event }, 'listener threw'));
    this.domain = options.domain;
    this.#log = options.log;
    this.#entity =
      options.mode === 'component'
        ? component({ service: options.service, domain: options.domain, password: options.secret })
        : clientEntity(options);
    this.#entity.on('online', () => {
      this.#log.info({ domain: this.domain }, 'xmpp component online');
      this.emit('online');
      this.#release(); // after the rejoins that 'online' starts, so those go out first
    });
    // A resumed stream (XEP-0198) is online again without an 'online' event: nothing was lost, nothing to rejoin.
    const sm = (this.#entity as unknown as { streamManagement?: { on(e: string, f: () => void): void } })
      .streamManagement;
    sm?.on('resumed', () => this.#release());
    this.#entity.on('offline', () => {
      this.#release(new IqError('not-connected', 'the XMPP connection was stopped', undefined));
      this.emit('offline');
    });
    this.#entity.on('disconnect', () => this.#log.warn('xmpp component disconnected'));
    this.#entity.on('error', (err: unknown) => this.#log.warn({ err }, 'xmpp component error'));
    this.#entity.on('stanza', (stanza: Element) => {
      if (stanza.is('presence')) this.emit('presence', stanza);
      else if (stanza.is('message')) this.emit('message', stanza);
    });
  }

  /** Connects; rejects if the first attempt fails (wrong secret, Prosody down). Later drops reconnect by themselves. */
  async start(): Promise<void> {
    let smOffered = false;
    const onElement = (el: Element) => {
      if (el.name === 'stream:features') smOffered = el.getChild('sm', NS_SM) !== undefined;
    };
    this.#entity.on('element', onElement);
    await this.#entity.start();
    this.#entity.off('element', onElement);
    // xmpp.js 0.14 miscounts stream-management acks for stanzas that race its <enabled/>, and Prosody then
    // ends the stream: a client sends nothing until stream management is on (or not offered).
    const sm = (this.#entity as unknown as { streamManagement?: { enabled: boolean } }).streamManagement;
    for (let i = 0; smOffered && sm !== undefined && !sm.enabled && i < 200; i++)
      await new Promise((r) => setTimeout(r, 10));
  }

  async stop(): Promise<void> {
    this.#entity.reconnect.stop();
    await this.#entity.stop();
  }

  get online(): boolean {
    return this.#entity.status === 'online';
  }

  /** Answers IQs of one type and payload; a thrown error becomes a stanza error, never a crash. */
  route(type: 'get' | 'set', ns: string, name: string, handler: IqHandler): void {
    this.#entity.iqCallee[type](ns, name, async ({ stanza, element }) => {
      const from = (stanza.attrs as { from?: string }).from;
      const reply = await answerIq(() => handler(stanza, element), { from, log: this.#log, errors: this.iqErrors });
      // @xmpp/component's own ltx classes: its IQ callee tells a reply from "no reply" by instanceof.
      return reply === undefined ? true : rebuildElement(reply, xml);
    });
  }

  send(stanza: Element): Promise<void> {
    return this.#entity.send(stanza);
  }

  #release(err?: Error): void {
    for (const w of this.#waiting) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
    this.#waiting.clear();
  }

  /**
   * Sends an IQ get/set and resolves with the result IQ; rejects with IqError on an error reply or timeout. Asked
   * while the connection is down, it goes out once it is back: the timeout runs from then (a bridge health check must
   * not fail a bridge because the focus was away).
   */
  async request(iq: Element, timeoutMs = 15_000): Promise<Element> {
    if (!this.online) await new Promise<void>((resolve, reject) => this.#waiting.add({ resolve, reject }));
    try {
      return await this.#entity.iqCaller.request(iq, timeoutMs);
    } catch (err) {
      const e = err as { name?: string; condition?: string; text?: string; element?: Element };
      if (e.name === 'TimeoutError')
        throw new IqError('timeout', `no answer within ${timeoutMs} ms`, undefined, { cause: err });
      if (typeof e.condition === 'string')
        throw new IqError(e.condition, e.text || undefined, e.element, { cause: err });
      throw err;
    }
  }
}

function clientEntity(o: FocusConnectionOptions): Component {
  const username = o.username ?? 'focus';
  const password = o.secret;
  return client({
    service: o.service,
    domain: o.domain,
    resource: o.resource ?? 'focus',
    // PLAIN when the server allows it: xmpp.js's SCRAM costs about a second per login.
    credentials: (authenticate, mechanisms) =>
      authenticate({ username, password }, mechanisms.includes('PLAIN') ? 'PLAIN' : (mechanisms[0] ?? 'SCRAM-SHA-1')),
  });
}
