// Which socket the media server runs (config udpImplementation): the native addon's batched one when it loads,
// else node's dgram, as for SRTP.
import { nativeAddonLoadError, loadNativeAddon } from '../addon/index.js';
import { NativeUdpTransport } from './native-udp-transport.js';
import type { PacketSocket } from './packet-socket.js';
import { UdpTransport, type UdpTransportOptions } from './udp-transport.js';

/** `auto`: native if the addon has the socket, else node; `native`: the addon or fail; `node`: dgram. */
export type UdpImplementation = 'auto' | 'native' | 'node';

export interface UdpChoice {
  name: 'native' | 'node';
  socket: PacketSocket;
  /** Why node was used under `auto` (the warning to log), else undefined. */
  fallback?: string;
}

/** Why the native socket cannot be used (one line), or undefined when it can. */
export function nativeUdpLoadError(): string | undefined {
  const addon = loadNativeAddon();
  if (addon === undefined) return nativeAddonLoadError() ?? 'the native addon does not load';
  if (typeof addon.UdpSocket !== 'function') return 'the native addon is an older build without UdpSocket';
  return undefined;
}

/** Binds the socket; throws with a one-line message when `native` is asked for and not available. */
export async function openUdp(
  mode: UdpImplementation,
  opts: UdpTransportOptions & { batch?: number; gso?: boolean },
  unavailable: () => string | undefined = nativeUdpLoadError,
): Promise<UdpChoice> {
  if (mode !== 'node') {
    const why = unavailable();
    if (why === undefined) return { name: 'native', socket: NativeUdpTransport.create(opts) };
    if (mode === 'native') throw new Error(`udpImplementation is native, but ${why}`);
    return { name: 'node', socket: await UdpTransport.create(opts), fallback: why };
  }
  return { name: 'node', socket: await UdpTransport.create(opts) };
}
