// The bridge tests' common ground: a real Prosody with the bridge account, the stand-in focus in the brewery,
// and a real bridge process that joined it; plus the Colibri2 transport as the params a media peer connects to.
import type { Prosody } from '@convene/xmpp-server';
import type { IceUdpTransport } from '@convene/protocol/jingle';
import type { TransportParams } from '@convene/bridge/conference';
import { BridgeProcess, type BridgeProcessOptions } from './bridge-process.js';
import { joinBreweryAsFocus, type BreweryPeer } from './bridge-focus.js';
import { startTestProsody } from './prosody.js';

export interface BridgeStack {
  prosody: Prosody;
  focus: BreweryPeer;
  bridge: BridgeProcess;
  close(): Promise<void>;
}

/** Starts Prosody, the focus stand-in and a bridge that has joined the brewery; close() stops all three. */
export async function startBridgeStack(
  password: string,
  bridgeOptions: Omit<BridgeProcessOptions, 'prosody' | 'password'> = {},
): Promise<BridgeStack> {
  const prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password }] });
  const focus = await joinBreweryAsFocus(prosody);
  const bridge = await BridgeProcess.start({ prosody, password, ...bridgeOptions });
  await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
  return {
    prosody,
    focus,
    bridge,
    async close() {
      await bridge.close();
      await focus.peer.close();
      await prosody.close();
    },
  };
}

/** The bridge's Colibri2 transport as the media parameters a peer's offer is built from. */
export function transportParamsOf(ice: IceUdpTransport): TransportParams {
  return {
    ufrag: ice.ufrag!,
    pwd: ice.pwd!,
    fingerprints: ice.fingerprints.map((f) => ({ hash: f.hash, value: f.value, setup: 'actpass' as const })),
    candidates: ice.candidates.map((c) => ({ address: c.ip, port: c.port, priority: c.priority, type: c.type })),
  };
}
