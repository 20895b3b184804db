import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { buildConferenceReplyJson, parseConferenceRequestJson } from '@convene/protocol/jitsi';
import { ConveneError, ProtocolError } from '@convene/protocol/lib';
import type { ConferenceManager } from '../conference/conference-manager.js';
import { StanzaFailure } from '@convene/protocol/xml';
import { clientAddress, normalizeAddress } from './client-address.js';

const MAX_BODY = 64 * 1024;

export interface FocusHttpDeps {
  manager: ConferenceManager;
  registry: Registry;
  health: () => { healthy: boolean; reason?: string };
  stats: () => Record<string, unknown>;
  version: string;
  /** Peers whose `X-Forwarded-For` names the client (reverse proxies in front of the focus). */
  trustedProxies: readonly string[];
  log: Logger;
}

/** Jicofo's HTTP surface (PROTOCOL.md §9): health, version, stats, metrics and the conference request. */
export function createFocusHttp(deps: FocusHttpDeps): Server {
  const trusted = new Set(deps.trustedProxies.map(normalizeAddress));
  return createServer((req, res) => {
    void route(deps, trusted, req, res).catch((err: unknown) => {
      // Only the conference request throws on bad input: its errors keep its CORS header.
      if (err instanceof StanzaFailure && err.stanzaError.condition === 'resource-constraint') {
        send(res, 429, 'text/plain', `Too many requests: ${err.message}`, CORS);
        return;
      }
      // Secure domain (PROTOCOL.md §2): lib-jitsi-meet reads 403 as "authentication required", and a 400 body
      // with `400 invalid-session` as a stale session to drop.
      if (err instanceof StanzaFailure && err.stanzaError.condition === 'not-authorized') {
        send(res, 403, 'text/plain', `Forbidden: ${err.message}`, CORS);
        return;
      }
      if (err instanceof StanzaFailure && err.stanzaError.condition === 'not-acceptable') {
        send(res, 400, 'text/plain', `400 invalid-session: ${err.message}`, CORS);
        return;
      }
      const status = err instanceof ProtocolError ? 400 : 500;
      if (status === 500) deps.log.error({ err, path: (req.url ?? '/').split('?')[0] }, 'http handler failed');
      const body = status === 400 ? `Bad request: ${(err as Error).message}` : 'Internal error';
      send(res, status, 'text/plain', body, status === 400 ? CORS : {});
    });
  });
}

async function route(
  deps: FocusHttpDeps,
  trusted: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/about/health') {
    const h = deps.health();
    send(res, h.healthy ? 200 : 503, 'text/plain', h.healthy ? 'OK' : (h.reason ?? 'unhealthy'));
  } else if (req.method === 'GET' && path === '/about/version') {
    send(
      res,
      200,
      'application/json',
      JSON.stringify({ name: 'convene-focus', version: deps.version, os: process.platform }),
    );
  } else if (req.method === 'GET' && path === '/stats') {
    send(res, 200, 'application/json', JSON.stringify(deps.stats()));
  } else if (req.method === 'GET' && path === '/metrics') {
    send(res, 200, deps.registry.contentType, await deps.registry.metrics());
  } else if (path === '/conference-request/v1' && req.method === 'OPTIONS') {
    send(res, 200, 'text/plain', '', CORS);
  } else if (path === '/conference-request/v1' && req.method === 'POST') {
    const body = await readBody(req);
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
    const reply = await deps.manager.request(parseConferenceRequestJson(body), { kind: 'http', address });
    send(res, 200, 'application/json', buildConferenceReplyJson(reply), CORS);
  } else {
    send(res, 404, 'text/plain', 'Not found');
  }
}

/** Only the conference request is meant for pages (Jicofo's, which a web app may call); nothing else is CORS-open. */
const CORS = { 'access-control-allow-origin': '*' };

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, ...extra });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ProtocolError('body-too-large', `request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (err) => reject(new ConveneError('http-read-failed', err.message, { cause: err })));
  });
}
