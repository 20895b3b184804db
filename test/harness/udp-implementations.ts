// The media integration tests run against both sockets the bridge can use (config udpImplementation): node's
// dgram and the native addon's batched recvmmsg/sendmmsg one. Without the addon's socket (an older build) the
// native half is not run, and says so.
import { nativeUdpLoadError } from '@convene/bridge/transport';

export type UdpUnderTest = 'node' | 'native';

const whyNot = nativeUdpLoadError();
export const nativeUdpAvailable = whyNot === undefined;

if (whyNot !== undefined) {
  process.stderr.write(`udp-implementations: native socket tests skipped: ${whyNot}\n`);
}

/** The sockets to run a media test against: [['node'], ['native']] for describe.each. */
export const UDP_IMPLEMENTATIONS: ReadonlyArray<[UdpUnderTest]> = nativeUdpAvailable
  ? [['node'], ['native']]
  : [['node']];
