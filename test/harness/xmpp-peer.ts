import type { Element } from 'ltx';
import { client, xml } from '@xmpp/client';
import { component, type Component } from '@xmpp/component';
import { WebSocket } from 'ws';

const NS_SM = 'urn:xmpp:sm:3';

/** Rebuilds an element with xmpp.js's ltx classes (its IQ callee checks replies with instanceof). */
export function toXmpp(el: Element): Element {
  return xml(el.name, { ...el.attrs }, ...el.children.map((c) => (typeof c === 'string' ? c : toXmpp(c))));
}

// xmpp.js's WebSocket transport uses the global WebSocket, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** A connected XMPP entity (client or component) that records every stanza it receives. */
export class XmppPeer {
  readonly entity: Component;
  readonly jid: string;
  readonly received: Element[] = [];
  readonly #waiters = new Set<{ match: (s: Element) => boolean; resolve: (s: Element) => void }>();

  constructor(entity: Component, jid: string) {
    this.entity = entity;
    this.jid = jid;
    entity.on('stanza', (s: Element) => {
      this.received.push(s);
      for (const w of this.#waiters) {
        if (w.match(s)) {
          this.#waiters.delete(w);
          w.resolve(s);
        }
      }
    });
  }

  send(stanza: Element): Promise<void> {
    return this.entity.send(stanza);
  }

  request(iq: Element, timeoutMs = 5_000): Promise<Element> {
    return this.entity.iqCaller.request(iq, timeoutMs);
  }

  /** The first stanza (already received or arriving within the deadline) that matches. */
  waitFor(what: string, match: (s: Element) => boolean, timeoutMs = 5_000): Promise<Element> {
    const seen = this.received.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.jid}: no stanza matching ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.entity.reconnect.stop();
    await this.entity.stop();
  }
}

export interface ClientOptions {
  service: string;
  domain: string;
  username?: string;
  password?: string;
  resource?: string;
}

/** Logs in with PLAIN when a password is given (SCRAM in xmpp.js costs ~1 s), else ANONYMOUS. */
export async function connectClient(options: ClientOptions): Promise<XmppPeer> {
  const { username, password } = options;
  const entity = client({
    service: options.service,
    domain: options.domain,
    resource: options.resource,
    credentials:
      username === undefined
        ? undefined
        : (authenticate, mechanisms) =>
            authenticate({ username, password }, mechanisms.includes('PLAIN') ? 'PLAIN' : (mechanisms[0] ?? '')),
  });
  return start(entity);
}

export async function connectComponent(options: {
  service: string;
  domain: string;
  password: string;
}): Promise<XmppPeer> {
  return start(component(options));
}

async function start(entity: Component): Promise<XmppPeer> {
  entity.reconnect.stop();
  const errors: unknown[] = [];
  entity.on('error', (err: unknown) => errors.push(err));
  let smOffered = false;
  entity.on('element', (el: Element) => {
    if (el.name === 'stream:features') smOffered = el.getChild('sm', NS_SM) !== undefined;
  });
  try {
    const jid = await entity.start();
    // xmpp.js 0.14 zeroes its inbound count when <enabled/> is processed, after stanzas that raced it were
    // counted, and Prosody then kills the stream for acking less than before: send nothing until enabled.
    const sm = (entity as unknown as { streamManagement?: { enabled: boolean } }).streamManagement;
    for (let i = 0; smOffered && sm !== undefined && !sm.enabled && i < 100; i++)
      await new Promise((r) => setTimeout(r, 10));
    return new XmppPeer(entity, jid.toString());
  } catch (err) {
    entity.reconnect.stop();
    await entity.stop().catch(() => undefined);
    throw err;
  }
}
