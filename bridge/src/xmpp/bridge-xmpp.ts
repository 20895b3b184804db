// The bridge's XMPP side (PROTOCOL.md §6): a c2s client in the brewery MUC that publishes its stats and answers
// the focus's IQs. It keeps itself connected: any drop or Prosody restart leads to a reconnect with backoff and a
// fresh brewery join, with nobody watching.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { client, xml, type Client } from '@xmpp/client';
import { TypedEmitter } from '@convene/protocol/lib';
import { answerIq, rebuildElement } from '@convene/protocol/xml';
import { BreweryOccupants } from './brewery-occupants.js';
import { buildBreweryPresence, type StatValue } from './stats-presence.js';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_PING = 'urn:xmpp:ping';

export interface BridgeXmppOptions {
  /** `xmpp://host:port` of Prosody's c2s listener. */
  service: string;
  /** The account's domain, `auth.<domain>`. */
  domain: string;
  username: string;
  password: string;
  breweryRoom: string;
  /** Brewery nick: the bridge id. */
  nick: string;
  presenceIntervalMs: number;
  /** XMPP ping (XEP-0199) to the server this often; an unanswered ping drops the connection. */
  pingIntervalMs?: number;
  /** The stats published in every brewery presence. */
  stats: () => Readonly<Record<string, StatValue>>;
  log: Logger;
  /** First and longest wait between connection attempts. */
  backoff?: { initialMs: number; maxMs: number };
}

/** A protocol/ element with @xmpp/client's own ltx classes (see rebuildElement). */
export function toXmppElement(el: Element): Element {
  return rebuildElement(el, xml);
}

/** What an IQ route sees of the request. */
export interface IqRequest {
  from: string;
  /** The sender's real JID: a brewery occupant's from its presence (undefined if unknown), else `from`. */
  sender: string | undefined;
  to: string;
  id: string;
  payload: Element;
}

/** Returns the result payload (or undefined for an empty result); throws to answer with an error. */
export type IqRoute = (iq: IqRequest) => Promise<Element | undefined> | Element | undefined;

export type BridgeXmppEvents = {
  /** In the brewery, after every (re)join. */
  joined: [];
  /** Out of the brewery: connection lost or kicked. */
  left: [];
};

interface RouteEntry {
  type: 'get' | 'set';
  ns: string;
  name: string;
  handler: IqRoute;
}

/** Bridge XMPP client: login, brewery presence with stats, IQ routes, reconnects unattended. */
export class BridgeXmpp extends TypedEmitter<BridgeXmppEvents> {
  /** Connection drops since start (JVB `xmpp_disconnects`). */
  disconnects = 0;
  /** IQs refused or failed, by error code: read by metrics. */
  readonly iqErrors = new Map<string, number>();
  readonly #opts: BridgeXmppOptions;
  readonly #log: Logger;
  readonly #routes: RouteEntry[] = [];
  readonly #abort = new AbortController();
  readonly #occupants: BreweryOccupants;
  #entity: Client | undefined;
  #joined = false;
  #presenceTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: BridgeXmppOptions) {
    super((err, event) => options.log.error({ err, event }, 'xmpp listener threw'));
    this.#opts = options;
    this.#log = options.log;
    this.#occupants = new BreweryOccupants(options.breweryRoom);
  }

  get joined(): boolean {
    return this.#joined;
  }

  get online(): boolean {
    return this.#entity?.status === 'online';
  }

  /** Adds an IQ route; routes apply to every connection, including later reconnects. Register before start(). */
  route(type: 'get' | 'set', ns: string, name: string, handler: IqRoute): void {
    this.#routes.push({ type, ns, name, handler });
  }

  /** Starts connecting in the background; a failed attempt is retried with backoff, never thrown. */
  start(): void {
    if (this.#running !== undefined || this.#stopped) return;
    this.#running = this.#run().catch((err: unknown) => this.#log.fatal({ err }, 'xmpp loop crashed'));
  }

  /** Republishes the stats presence now (e.g. when a conference starts or ends, or on shutdown). */
  publishNow(): void {
    if (this.#joined) this.#sendPresence(false);
  }

  /** Leaves the brewery and disconnects; no reconnect after this. */
  async stop(): Promise<void> {
    if (this.#stopped) return this.#running;
    this.#stopped = true;
    const entity = this.#entity;
    if (entity !== undefined && entity.status === 'online' && this.#joined) {
      const leave = toXmppElement(buildBreweryPresence(this.#occupantJid(), {}, false));
      leave.attrs.type = 'unavailable';
      await entity.send(leave).catch((err: unknown) => this.#log.debug({ err }, 'leave presence not sent'));
    }
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { initialMs, maxMs } = this.#opts.backoff ?? { initialMs: 500, maxMs: 3_000 };
    let delay = initialMs;
    while (!this.#stopped) {
      const entity = this.#makeEntity();
      this.#entity = entity;
      const ended = new Promise<void>((resolve) => {
        entity.on('disconnect', () => resolve());
        entity.on('offline', () => resolve());
        this.#abort.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      try {
        await entity.start();
      } catch (err) {
        this.#log.warn({ err, retryInMs: delay }, 'xmpp connect failed');
        await this.#dispose(entity);
        await this.#sleep(delay);
        delay = Math.min(delay * 2, maxMs);
        continue;
      }
      delay = initialMs;
      this.#log.info({ jid: entity.jid?.toString() }, 'xmpp online');
      this.#join();
      const pinger = this.#keepAlive(entity);
      await ended;
      clearInterval(pinger);
      this.#setLeft();
      await this.#dispose(entity);
      if (this.#stopped) break;
      this.disconnects++;
      this.#log.warn({ retryInMs: delay }, 'xmpp connection lost');
      await this.#sleep(delay);
    }
    this.#log.info('xmpp stopped');
  }

  /**
   * A silent network drop shows no TCP close: ping, and drop the connection when the server stops answering. Any
   * reply proves the stream alive, an error too: a server without XEP-0199 on this host (ejabberd without mod_ping)
   * answers `service-unavailable`. Only a timeout (or a failed send) means a dead link.
   */
  #keepAlive(entity: Client): NodeJS.Timeout {
    const every = this.#opts.pingIntervalMs ?? 30_000;
    const timer = setInterval(() => {
      const ping = xml('iq', { type: 'get', to: this.#opts.domain }, xml('ping', { xmlns: NS_PING }));
      entity.iqCaller.request(ping, every).catch((err: unknown) => {
        if (entity.status !== 'online') return;
        if (isErrorReply(err)) {
          this.#log.debug({ condition: err.condition }, 'xmpp ping answered with an error: the stream is alive');
          return;
        }
        this.#log.warn({ err }, 'xmpp ping failed: dropping the connection');
        // stop() ends the session; the loop sees it go offline and reconnects.
        entity.stop().catch((e: unknown) => this.#log.debug({ err: e }, 'xmpp stop failed'));
      });
    }, every);
    timer.unref();
    return timer;
  }

  #makeEntity(): Client {
    const { username, password } = this.#opts;
    const entity = client({
      service: this.#opts.service,
      domain: this.#opts.domain,
      resource: this.#opts.nick,
      // PLAIN when offered: xmpp.js's SCRAM costs about a second per login, which slows every reconnect.
      credentials: (authenticate, mechanisms) =>
        authenticate({ username, password }, mechanisms.includes('PLAIN') ? 'PLAIN' : (mechanisms[0] ?? '')),
    });
    entity.reconnect.stop(); // our loop reconnects, with backoff and a fresh entity
    entity.on('error', (err: unknown) => this.#log.debug({ err }, 'xmpp error'));
    entity.on('stanza', (stanza: Element) => {
      if (!stanza.is('presence')) return;
      try {
        this.#onPresence(stanza);
      } catch (err) {
        this.#log.error({ err }, 'presence handler failed');
      }
    });
    for (const r of this.#routes) {
      entity.iqCallee[r.type](r.ns, r.name, async ({ stanza, element }) => this.#answer(r, stanza, element));
    }
    return entity;
  }

  async #answer(r: RouteEntry, stanza: Element, element: Element): Promise<Element | true> {
    const attrs = stanza.attrs as Record<string, string | undefined>;
    const sender = this.#occupants.senderOf(attrs.from ?? '');
    const request = { from: attrs.from ?? '', sender, to: attrs.to ?? '', id: attrs.id ?? '', payload: element };
    const reply = await answerIq(() => r.handler(request), {
      from: attrs.from,
      log: this.#log.child({ sender: sender ?? null }),
      errors: this.iqErrors,
    });
    return reply === undefined ? true : toXmppElement(reply);
  }

  #occupantJid(): string {
    return `${this.#opts.breweryRoom}/${this.#opts.nick}`;
  }

  #join(): void {
    this.#sendPresence(true);
    clearInterval(this.#presenceTimer);
    this.#presenceTimer = setInterval(() => {
      if (this.#joined) this.#sendPresence(false);
    }, this.#opts.presenceIntervalMs);
    this.#presenceTimer.unref();
  }

  #sendPresence(join: boolean): void {
    const entity = this.#entity;
    if (entity === undefined || entity.status !== 'online') return;
    let stats: Readonly<Record<string, StatValue>>;
    try {
      stats = this.#opts.stats();
    } catch (err) {
      this.#log.error({ err }, 'stats collection failed');
      return;
    }
    entity
      .send(toXmppElement(buildBreweryPresence(this.#occupantJid(), stats, join)))
      .catch((err: unknown) => this.#log.warn({ err }, 'brewery presence not sent'));
  }

  #onPresence(p: Element): void {
    this.#occupants.onPresence(p);
    const from = String(p.attrs.from ?? '');
    if (from !== this.#occupantJid()) return;
    const type = p.attrs.type as string | undefined;
    if (type === 'error') {
      const condition = p.getChild('error')?.getChildElements()[0]?.getName();
      this.#log.error({ condition, room: this.#opts.breweryRoom, nick: this.#opts.nick }, 'brewery join refused');
      this.#setLeft();
      this.#retryJoinLater();
      return;
    }
    const self = p
      .getChild('x', NS_MUC_USER)
      ?.getChildren('status')
      .some((s) => s.attrs.code === '110');
    if (type === 'unavailable') {
      if (this.#stopped) return;
      if (self === true || this.#joined) {
        this.#log.warn({ room: this.#opts.breweryRoom }, 'removed from the brewery');
        this.#setLeft();
        this.#retryJoinLater();
      }
      return;
    }
    if (!this.#joined) {
      this.#joined = true;
      this.#log.info({ room: this.#opts.breweryRoom, nick: this.#opts.nick }, 'joined the brewery');
      this.emit('joined');
    }
  }

  #retryJoinLater(): void {
    const t = setTimeout(() => {
      if (!this.#stopped && !this.#joined && this.online) this.#join();
    }, this.#opts.backoff?.maxMs ?? 3_000);
    t.unref();
  }

  #setLeft(): void {
    clearInterval(this.#presenceTimer);
    this.#presenceTimer = undefined;
    this.#occupants.clear();
    if (!this.#joined) return;
    this.#joined = false;
    this.emit('left');
  }

  async #dispose(entity: Client): Promise<void> {
    entity.reconnect.stop();
    const timeout = sleep(2_000, undefined, { ref: false });
    const stopped = entity.stop().catch((err: unknown) => this.#log.debug({ err }, 'xmpp stop failed'));
    await Promise.race([stopped, timeout]);
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
    } catch {
      // aborted by stop(): the loop checks #stopped next
      return;
    }
  }
}

/** An `<iq type="error">` reply, as xmpp.js's iqCaller rejects with it (a StanzaError carrying the element). */
function isErrorReply(err: unknown): err is { condition: string } {
  return (
    err instanceof Error && err.name === 'StanzaError' && typeof (err as { condition?: unknown }).condition === 'string'
  );
}
