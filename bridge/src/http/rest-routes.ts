// The private server's routes (PROTOCOL.md §9): JVB's REST, health and /metrics. Never on the public server.
import type { Registry } from 'prom-client';
import { ProtocolError } from '@convene/protocol/lib';
import { json, text, type Route } from './http-reply.js';

export type Health = { healthy: true } | { healthy: false; reason: string };

export interface RestApi {
  version: { name: string; version: string; os: string };
  health(): Health;
  /** `/colibri/stats`: JVB key names. */
  stats(): Record<string, unknown>;
  /** `/colibri/stats/debug`: per conference and endpoint, the downlink estimator's state (ours, not JVB's). */
  debug?(): Record<string, unknown>;
  metrics: Registry;
  /** `POST /colibri/shutdown`: graceful drains first, otherwise exits at once. */
  shutdown(graceful: boolean): void;
  drain: { get(): boolean; set(on: boolean): void };
}

/** `METHOD /path` -> handler. */
export function restRoutes(api: RestApi): Map<string, Route> {
  return new Map<string, Route>([
    ['GET /about/version', () => json(api.version)],
    [
      'GET /about/health',
      () => {
        const h = api.health();
        return h.healthy ? { status: 200 } : text(h.reason, 500);
      },
    ],
    ['GET /colibri/stats', () => json(api.stats())],
    ['GET /colibri/stats/debug', () => json(api.debug?.() ?? {})],
    ['GET /colibri/drain', () => json({ drain: api.drain.get() })],
    ['POST /colibri/drain/enable', () => (api.drain.set(true), { status: 200 })],
    ['POST /colibri/drain/disable', () => (api.drain.set(false), { status: 200 })],
    [
      'POST /colibri/shutdown',
      (_req, body) => {
        api.shutdown(parseShutdown(body));
        return { status: 200 };
      },
    ],
    ['GET /metrics', async () => ({ status: 200, type: api.metrics.contentType, body: await api.metrics.metrics() })],
  ]);
}

/** JVB's ShutdownDto `{"graceful-shutdown": true}`; an empty body means graceful. */
export function parseShutdown(body: string): boolean {
  if (body.trim() === '') return true;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (err) {
    throw new ProtocolError('bad-json', 'shutdown body is not JSON', { cause: err });
  }
  const g = (v as Record<string, unknown> | null)?.['graceful-shutdown'];
  if (typeof v !== 'object' || v === null || Array.isArray(v) || (g !== undefined && typeof g !== 'boolean'))
    throw new ProtocolError('bad-field', 'expected {"graceful-shutdown": true|false}');
  return g !== false;
}
