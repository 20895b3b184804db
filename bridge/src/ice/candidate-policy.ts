// Which signalled remote candidates the bridge may send STUN to. A participant chooses these addresses: a name
// would make the bridge resolve it (dns.lookup on libuv's shared threadpool, from the packet path), and a loopback
// or link-local address would make it probe services on its own host or network segment.
import { isIPv4 } from 'node:net';

/** Why a remote candidate is not used; undefined when it is. */
export type CandidateRefusal = 'not-ipv4-literal' | 'local' | 'not-unicast';

/**
 * IPv4 literals only (the media socket is udp4; names are never resolved, mDNS ones included). Always refused:
 * 0.0.0.0/8 ("this network", RFC 1122 §3.2.1.3), 224.0.0.0/4 multicast and 240.0.0.0/4 reserved with the broadcast
 * address. Loopback 127.0.0.0/8 and link-local 169.254.0.0/16 only when `allowLocal` (a bridge and its peers on
 * one host, as in tests and the local stack).
 */
export function refuseCandidate(address: string, allowLocal: boolean): CandidateRefusal | undefined {
  if (!isIPv4(address)) return 'not-ipv4-literal';
  const dot = address.indexOf('.');
  const a = Number(address.slice(0, dot));
  const b = Number(address.slice(dot + 1, address.indexOf('.', dot + 1)));
  if (a === 0 || a >= 224) return 'not-unicast';
  if (a === 127 || (a === 169 && b === 254)) return allowLocal ? undefined : 'local';
  return undefined;
}
