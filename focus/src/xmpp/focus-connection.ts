import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { component, type Component } from '@xmpp/component';
import { buildStanzaError } from '@convene/protocol/xml';
import { IqError } from './iq-error.js';
import { stanzaErrorFor } from './stanza-condition.js';
import { toXmppElement } from './to-xmpp-element.js';

export interface FocusConnectionOptions {
  /** `xmpp://host:port` of Prosody's component listener. */
  service: string;
  /** The component's domain, e.g. `focus.meet.localhost`. */
  domain: string;
  secret: string;
  log: Logger;
}

export interface FocusConnectionEvents {
  /** Connected and authenticated, first time and after every reconnect. */
  online: [];
  offline: [];
  presence: [Element];
  message: [Element];
}

export type IqHandler = (stanza: Element, payload: Element) => Promise<Element | undefined>;

/** The focus's XEP-0114 connection: IQ routes with typed errors, requests with timeouts, reconnects by itself. */
export class FocusConnection extends EventEmitter<FocusConnectionEvents> {
  readonly domain: string;
  readonly #entity: Component;
  readonly #log: Logger;
  /** IQ handlers that threw, by error code: read by metrics. */
  readonly iqErrors = new Map<string, number>();

  constructor(options: FocusConnectionOptions) {
    super();
    this.domain = options.domain;
    this.#log = options.log;
    this.#entity = component({ service: options.service, domain: options.domain, password: options.secret });
    this.#entity.on('online', () => {
      this.#log.info({ domain: this.domain }, 'xmpp component online');
      this.emit('online');
    });
    this.#entity.on('offline', () => this.emit('offline'));
    this.#entity.on('disconnect', () => this.#log.warn('xmpp component disconnected'));
    this.#entity.on('error', (err: unknown) => this.#log.warn({ err }, 'xmpp component error'));
    this.#entity.on('stanza', (stanza: Element) => {
      if (stanza.is('presence')) this.emit('presence', stanza);
      else if (stanza.is('message')) this.emit('message', stanza);
    });
  }

  /** Connects; rejects if the first attempt fails (wrong secret, Prosody down). Later drops reconnect by themselves. */
  async start(): Promise<void> {
    await this.#entity.start();
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
      try {
        const reply = await handler(stanza, element);
        return reply === undefined ? true : toXmppElement(reply);
      } catch (err) {
        const error = stanzaErrorFor(err);
        const code = (err as { code?: string }).code ?? 'bug';
        this.iqErrors.set(code, (this.iqErrors.get(code) ?? 0) + 1);
        if (error.condition === 'internal-server-error')
          this.#log.error({ err, from: stanza.attrs.from }, 'iq handler failed');
        else this.#log.warn({ err, from: stanza.attrs.from, condition: error.condition }, 'iq rejected');
        return toXmppElement(buildStanzaError(error));
      }
    });
  }

  send(stanza: Element): Promise<void> {
    return this.#entity.send(stanza);
  }

  /** Sends an IQ get/set and resolves with the result IQ; rejects with IqError on an error reply or timeout. */
  async request(iq: Element, timeoutMs = 15_000): Promise<Element> {
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
