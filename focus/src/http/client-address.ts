import { isIP } from 'node:net';

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) as `192.0.2.1`. */
export function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address.toLowerCase();
}

/**
 * The HTTP client's address. `X-Forwarded-For` is honoured only when the peer is a configured proxy, and then read
 * from the right: each trusted proxy appends the address it got the request from, so the right-most entry that is
 * not a trusted proxy is the client; entries left of it are whatever the client wrote and are ignored.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  let client = normalizeAddress(peer ?? 'unknown');
  if (!trustedProxies.has(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress((hops[i] ?? '').trim());
    if (isIP(hop) === 0) break; // garbage: keep the last address a trusted proxy vouched for
    client = hop;
    if (!trustedProxies.has(hop)) break;
  }
  return client;
}
