import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** How long a side that is being closed may take to flush what is queued for it before it is destroyed. */
const FLUSH_MS = 5_000;

/**
 * Pipes an upgrade request raw to `target` (Origin dropped: the upstream sees a local client) and returns the
 * upstream socket. Whichever side ends, fails or closes first, the other is ended and then destroyed.
 */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: URL, log: Logger): Socket {
  const path = req.url?.split('?')[0];
  const upstream = connect(Number(target.port || 80), target.hostname);
  let piped = false;
  upstream.once('connect', () => {
    piped = true;
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? '';
      const lower = name.toLowerCase();
      if (lower === 'origin' || lower === 'host') continue;
      lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ''}`);
    }
    lines.push(`Host: ${target.host}`, `X-Forwarded-For: ${req.socket.remoteAddress ?? ''}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    // Each side's end ends the other once what is in flight is written (close frames included).
    socket.pipe(upstream).pipe(socket);
  });
  upstream.on('error', (err) => {
    if (piped) {
      log.debug({ err: err.message, path }, 'websocket upstream closed');
      return;
    }
    log.warn({ err: err.message, target: target.host, path }, 'websocket upstream failed');
    if (!socket.writableEnded) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
  });
  socket.on('error', (err) => log.debug({ err: err.message, path }, 'websocket client closed'));
  // pipe() alone is not enough: once one side closes, the other is unpiped and paused, and bytes it receives
  // after that (the peer's close frame) are never read, so it never sees its FIN and keeps its descriptor.
  upstream.once('close', () => finish(socket));
  socket.once('close', () => (piped ? finish(upstream) : upstream.destroy()));
  return upstream;
}

/** Ends `side`, lets what is queued for it flush (for at most FLUSH_MS), then destroys it, read side included. */
function finish(side: Duplex): void {
  if (side.destroyed) return;
  if (side.writableFinished) {
    side.destroy();
    return;
  }
  const timer = setTimeout(() => side.destroy(), FLUSH_MS);
  side.once('close', () => clearTimeout(timer));
  side.once('finish', () => side.destroy());
  if (!side.writableEnded) side.end();
}
