// The bridge's native addon (bridge/native: DTLS and SRTP on the OpenSSL inside node), loaded once. DTLS has no
// fallback, so the bridge refuses to start without it; SRTP can still run on node:crypto (srtpImplementation).
import { createRequire } from 'node:module';
import { ConveneError } from '@convene/protocol/lib';

/** The addon is not built, or is an older build: the bridge cannot run DTLS. */
export class NativeAddonError extends ConveneError {
  constructor(detail: string) {
    super('native-addon-unavailable', detail);
  }
}

/** Where `npm ci` (postinstall: bridge/native/build.js) puts the addon. */
const ADDON_PATH = '../../native/build/Release/convene_native.node';

/** The command that gets a machine from "no addon" to a working bridge. */
export const NATIVE_BUILD_HINT = 'apt-get install -y python3 make g++ && node bridge/native/build.js';

/** One SRTP context (both directions) of the addon; bad arguments throw TypeError/RangeError. */
export interface NativeSrtpContext {
  protectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  unprotectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  protectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  unprotectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  /** Its number in the addon's registry, for NativeUdpSocket.sendSrtp. */
  handle(): number;
}

/** A key and self-signed certificate with the OpenSSL context both DTLS roles use. */
export interface NativeDtlsIdentity {
  /** sha-256 of the certificate's DER. */
  fingerprint(): Buffer;
  der(): Buffer;
}

/** One DTLS association (bridge/native/dtls/binding.c); states are the DTLS_STATE_* numbers. */
export interface NativeDtlsConnection {
  expect(hash: string, digest: Buffer): boolean;
  start(): number;
  feed(buf: Buffer, off: number, len: number): number;
  handleTimeout(): number;
  close(): number;
  takeOutgoing(): Buffer[] | undefined;
  /** Application data records received since the last take (at most 16 wait; more are dropped and counted). */
  takeIncoming(): Buffer[] | undefined;
  /** One application data record, once connected; false when not connected or refused. */
  write(buf: Buffer): boolean;
  error(): string;
  srtpProfile(): number;
  exportSrtp(len: number): Buffer | undefined;
  /** [datagrams in, datagrams out, retransmits, application data bytes, application data records dropped, forged records discarded]. */
  counters(): [number, number, number, number, number, number];
  free(): void;
}

/** The addon's UDP socket (bridge/native/udp): recvmmsg batches into rx(), meta() = (len, addr, port) each. */
export interface NativeUdpSocket {
  port(): number;
  rx(): Buffer;
  /** (len, addr, port, age µs) per receive slot, then a cursor cell JavaScript writes (udp.h). */
  meta(): Uint32Array;
  /** The delay histogram (udp.h UDP_DELAY_BUCKETS), live. */
  delay(): Float64Array;
  /** Queued inside a batch (sendmmsg at its end), sent at once outside one; false: dropped and counted. */
  send(buf: Buffer, off: number, len: number, addr: number, port: number): boolean;
  /**
   * protectRtp(src, off, len, dst, dstOff) with the SRTP context of that handle(), then send(dst, dstOff, n, addr,
   * port), in one call: n, or a negative SRTP_ERR_* (nothing sent).
   */
  sendSrtp(
    ctx: number,
    src: Buffer,
    off: number,
    len: number,
    dst: Buffer,
    dstOff: number,
    addr: number,
    port: number,
  ): number;
  counters(): number[];
  close(): void;
}

export interface NativeAddon {
  SrtpContext: new (gcm: boolean, keys: Buffer) => NativeSrtpContext;
  DtlsIdentity: new (commonName: string, days: number, srtpProfiles: string) => NativeDtlsIdentity;
  DtlsConnection: new (identity: NativeDtlsIdentity, isServer: boolean, mtu: number) => NativeDtlsConnection;
  /** Absent in builds before the batched socket. */
  UdpSocket?: new (
    bindAddress: string,
    port: number,
    bufferBytes: number,
    batch: number,
    sendSlots: number,
    onBatch: (n: number) => void,
    gso: boolean,
  ) => NativeUdpSocket;
  /** OpenSSL_version() of the OpenSSL the addon runs on. */
  openssl: string;
}

export const DTLS_STATE_CONNECTING = 0;
export const DTLS_STATE_CONNECTED = 1;
export const DTLS_STATE_CLOSED = 2;
export const DTLS_STATE_FAILED = 3;

let loaded: { addon: NativeAddon } | { error: string } | undefined;

function load(): { addon: NativeAddon } | { error: string } {
  if (loaded !== undefined) return loaded;
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Partial<NativeAddon>;
    if (typeof addon.SrtpContext !== 'function' || typeof addon.DtlsConnection !== 'function')
      throw new Error('an older build without DTLS');
    if (typeof (addon.DtlsConnection.prototype as Partial<NativeDtlsConnection>).write !== 'function')
      throw new Error('an older build without DTLS application data');
    loaded = { addon: addon as NativeAddon };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    loaded = { error: `the native addon does not load (${first}); build it: ${NATIVE_BUILD_HINT}` };
  }
  return loaded;
}

/** The addon, or undefined when it is not built or does not load. */
export function loadNativeAddon(): NativeAddon | undefined {
  const r = load();
  return 'addon' in r ? r.addon : undefined;
}

/** One line saying why loadNativeAddon() returned undefined; undefined when the addon loaded. */
export function nativeAddonLoadError(): string | undefined {
  const r = load();
  return 'error' in r ? r.error : undefined;
}

/** The addon, or a NativeAddonError whose message is the one line an operator needs. */
export function requireNativeAddon(): NativeAddon {
  const addon = loadNativeAddon();
  if (addon === undefined) throw new NativeAddonError(nativeAddonLoadError() ?? 'the native addon does not load');
  return addon;
}
