import type { Logger } from 'pino';
import { NS_HEALTHCHECK, xmlElement } from '@convene/protocol/xml';
import { IqError } from '../xmpp/iq-error.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import type { Brewery } from './brewery.js';
import type { Bridge } from './bridge.js';

export interface BridgeDoctorOptions {
  /** Jicofo's JvbDoctor: every 10 s, one retry 5 s after a timeout. */
  intervalMs: number;
  retryMs: number;
  timeoutMs: number;
}

/**
 * Health-checks every bridge in the brewery (PROTOCOL.md §6). A bridge that answers with an error, or does not
 * answer twice in a row (stalled: still in the brewery, but dead), is failed: it is kept out of selection and its
 * conferences move (`onFailed`). Its next passed check makes it operational again at once. Jicofo only stops selecting a silent bridge; a bridge that stopped answering
 * cannot carry the conferences it has either, so they move too.
 */
export class BridgeDoctor {
  readonly #conn: FocusConnection;
  readonly #brewery: Brewery;
  readonly #from: string;
  readonly #options: BridgeDoctorOptions;
  readonly #log: Logger;
  readonly #onFailed: (b: Bridge) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #busy = new Set<string>();
  /** Health checks that failed (an error, or no answer twice), for /metrics. */
  failures = 0;

  constructor(init: {
    conn: FocusConnection;
    brewery: Brewery;
    from: string;
    options: BridgeDoctorOptions;
    log: Logger;
    onFailed: (b: Bridge) => void;
  }) {
    this.#conn = init.conn;
    this.#brewery = init.brewery;
    this.#from = init.from;
    this.#options = init.options;
    this.#log = init.log;
    this.#onFailed = init.onFailed;
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      for (const b of this.#brewery.bridges) void this.#check(b);
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(bridge: Bridge): Promise<void> {
    if (this.#busy.has(bridge.jid)) return;
    this.#busy.add(bridge.jid);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#conn.request(
            xmlElement('iq', { type: 'get', to: bridge.jid, from: this.#from }, [
              xmlElement('healthcheck', { xmlns: NS_HEALTHCHECK }),
            ]),
            this.#options.timeoutMs,
          );
          bridge.healthPassed();
          return;
        } catch (err) {
          if (!(err instanceof IqError)) throw err;
          if (err.condition === 'timeout' && attempt === 1) {
            await new Promise((r) => setTimeout(r, this.#options.retryMs));
            continue;
          }
          bridge.markFailed(Date.now(), 'health');
          this.failures++;
          if (err.condition === 'timeout')
            this.#log.warn({ bridge: bridge.id }, 'bridge health check timed out twice; moving its conferences');
          else
            this.#log.warn({ bridge: bridge.id, condition: err.condition }, 'bridge unhealthy; moving its conferences');
          this.#onFailed(bridge);
          return;
        }
      }
    } finally {
      this.#busy.delete(bridge.jid);
    }
  }
}
