import type { IncomingMessage } from 'node:http';

/**
 * True when a browser sent this request from another site: its `Origin` is not the host it was sent to, or
 * `Sec-Fetch-Site` says so. A page must not be able to drain or shut down a bridge that its visitor's browser can
 * reach (a form POST needs no CORS preflight). curl, Jicofo and monitoring send neither header.
 */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // `null` (sandboxed frames, file:) or garbage: not this host
  }
}
