import { isIP } from 'node:net';

/** Whether a listener on this address is reachable from this host only: 127.0.0.0/8, ::1 (and its v4-mapped form). */
export function isLoopbackAddress(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  // The URL parser writes every spelling of an IPv6 address in its one canonical form.
  return isIP(a) === 6 && new URL(`http://[${a}]/`).hostname === '[::1]';
}
