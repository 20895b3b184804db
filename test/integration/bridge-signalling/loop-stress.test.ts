// A bridge's stress follows its busy thread, not only its packet rate: a real bridge process configured for a packet
// rate it never reaches reports itself loaded once its one JavaScript thread is kept busy (here by a flood of
// datagrams from an address no endpoint has), and idle again after (config maxLoopUtilization).
import { createSocket, type Socket } from 'node:dgram';
import type { Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../../harness/prosody.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { waitUntil } from '../../harness/wait-for.js';

const PASSWORD = 'bridge-pass-stress';

let prosody: Prosody;
let bridge: BridgeProcess;
let flooder: Socket | undefined;

beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
  // The packet-rate term can never count (1e9 packets/s); stress 1.0 = the thread busy a tenth of its time.
  const args = ['--max-packet-rate', '1000000000', '--max-loop-utilization', '0.1'];
  bridge = await BridgeProcess.start({ prosody, password: PASSWORD, args });
  await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
});
afterAll(async () => {
  flooder?.close();
  await bridge?.close();
  await prosody?.close();
});

async function stress(): Promise<number> {
  const stats = (await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as Record<string, unknown>;
  return Number(stats.stress_level);
}

describe('bridge stress (real bridge process)', () => {
  it('reports the load of its busy thread when the packet rate says idle, and idle again after', async () => {
    // Two 1 s samples of an idle bridge.
    await waitUntil('an idle bridge', async () => (await stress()) < 0.5, 10_000, 250);
    const idle = await stress();

    // RTP-looking datagrams from an unselected address: each costs the bridge a receive and a drop.
    const sock = createSocket('udp4');
    flooder = sock;
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const packet = Buffer.alloc(200);
    packet[0] = 0x80;
    packet[1] = 100;
    let flooding = true;
    const burst = (): void => {
      if (!flooding) return;
      for (let i = 0; i < 200; i++) sock.send(packet, bridge.mediaPort, '127.0.0.1');
      setTimeout(burst, 1);
    };
    burst();
    try {
      const loaded = await waitUntil(
        'stress from the busy thread',
        async () => {
          const s = await stress();
          return s >= 0.5 ? s : undefined;
        },
        20_000,
        250,
      );
      expect(loaded).toBeGreaterThan(idle);
    } finally {
      flooding = false;
    }
    await waitUntil('idle again', async () => (await stress()) < 0.5, 10_000, 250);
    // The flood was dropped and counted as from an unselected address; /metrics shows the thread's busy share.
    const metrics = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^convene_bridge_loop_utilization 0(\.\d+)?$/m);
    const dropped = /^convene_bridge_media_datagrams_dropped_total\{reason="notSelectedAddress"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(dropped?.[1])).toBeGreaterThan(1000);
  });
});
