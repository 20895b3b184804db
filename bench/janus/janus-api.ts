// Janus's HTTP API as the bench drives it: one session, long-polled events, requests matched by transaction.

export type JanusEvent = {
  janus: string;
  sender?: number;
  transaction?: string;
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: string; sdp: string };
  data?: { id: number };
  error?: { reason: string };
};

/** Janus's HTTP API: one session, long-poll for events, requests matched by transaction. */
export class JanusApi {
  readonly #url: string;
  #session = 0;
  #polling = false;
  readonly #waiting = new Map<string, (e: JanusEvent) => void>();
  #tx = 0;

  constructor(url: string) {
    this.#url = url;
  }

  async #post(path: string, body: object): Promise<JanusEvent> {
    const transaction = `t${this.#tx++}`;
    const r = await fetch(`${this.#url}${path}`, {
      method: 'POST',
      body: JSON.stringify({ ...body, transaction }),
      signal: AbortSignal.timeout(10_000),
    });
    const e = (await r.json()) as JanusEvent;
    if (e.janus === 'error') throw new Error(`janus: ${e.error?.reason ?? 'error'}`);
    return { ...e, transaction };
  }

  async open(): Promise<void> {
    this.#session = (await this.#post('', { janus: 'create' })).data!.id;
    this.#polling = true;
    void this.#poll();
  }

  async #poll(): Promise<void> {
    while (this.#polling) {
      try {
        const r = await fetch(`${this.#url}/${this.#session}?maxev=50&rid=${Date.now()}`, {
          signal: AbortSignal.timeout(40_000),
        });
        const body = (await r.json()) as JanusEvent | JanusEvent[];
        for (const e of Array.isArray(body) ? body : [body]) {
          const w = e.transaction === undefined ? undefined : this.#waiting.get(e.transaction);
          if (w !== undefined && e.janus !== 'ack') {
            this.#waiting.delete(e.transaction!);
            w(e);
          }
        }
      } catch {
        if (this.#polling) await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async attach(): Promise<number> {
    return (await this.#post(`/${this.#session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data!.id;
  }

  /** A synchronous plugin request (create room): the answer comes in the response. */
  async request(handle: number, body: object): Promise<Record<string, unknown>> {
    const e = await this.#post(`/${this.#session}/${handle}`, { janus: 'message', body });
    return e.plugindata?.data ?? {};
  }

  /** An asynchronous plugin request (join, publish, start): the answer is an event on the long poll. */
  async message(handle: number, body: object, jsep?: object): Promise<JanusEvent> {
    const transaction = `t${this.#tx++}`;
    const event = new Promise<JanusEvent>((resolve, reject) => {
      this.#waiting.set(transaction, resolve);
      setTimeout(() => reject(new Error(`janus: no answer to ${JSON.stringify(body)}`)), 15_000);
    });
    const r = await fetch(`${this.#url}/${this.#session}/${handle}`, {
      method: 'POST',
      body: JSON.stringify({ janus: 'message', body, transaction, ...(jsep === undefined ? {} : { jsep }) }),
      signal: AbortSignal.timeout(10_000),
    });
    const ack = (await r.json()) as JanusEvent;
    if (ack.janus === 'error') throw new Error(`janus: ${ack.error?.reason ?? 'error'}`);
    const e = await event;
    const data = e.plugindata?.data;
    if (data?.error !== undefined) throw new Error(`janus videoroom: ${JSON.stringify(data.error)}`);
    return e;
  }

  async close(): Promise<void> {
    this.#polling = false;
    try {
      await this.#post(`/${this.#session}`, { janus: 'destroy' });
    } catch {
      // Janus is going away anyway
    }
  }
}
