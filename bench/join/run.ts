// bench/join: how long a participant waits from its conference request to the first RTP from the others.
// Real Prosody, focus and bridge processes; participants answer with node-datachannel (real ICE/DTLS/SRTP).
//
//   npx tsx bench/join/run.ts [--rounds 10]
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../test/harness/app-process.js';
import { BridgeProcess } from '../../test/harness/bridge-process.js';
import { CallParticipant, exchange } from '../../test/harness/call-participant.js';
import { NdcHost } from '../../test/harness/ndc-host.js';
import { startTestProsody } from '../../test/harness/prosody.js';
import { waitUntil } from '../../test/harness/wait-for.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg === -1 ? 10 : Number(process.argv[roundsArg + 1]);

const prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'b' }] });
const focusHttp = await freePort();
const focus = new AppProcess('focus/src/main.ts', {
  CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
  CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
  CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
  CONVENE_FOCUS_LOG_LEVEL: 'warn',
});
let bridge: BridgeProcess | undefined;
const ndc = await NdcHost.start();
const samples: number[] = [];
try {
  bridge = await BridgeProcess.start({ prosody, password: 'b', bridgeId: 'jvb1', videoWithoutConstraints: true });
  await waitUntil(
    'the focus to see the bridge',
    async () => {
      const res = await fetch(`http://127.0.0.1:${focusHttp}/stats`).catch(() => undefined);
      const stats =
        res?.ok === true ? ((await res.json()) as { bridge_selector: { bridge_count: number } }) : undefined;
      return stats?.bridge_selector.bridge_count === 1;
    },
    20_000,
  );
  for (let round = 0; round < ROUNDS; round++) {
    const room = `join${round}@conference.meet.localhost`;
    const started = Date.now();
    const a = await CallParticipant.join(
      prosody,
      ndc,
      `a${round.toString(16).padStart(7, '0')}`,
      room,
      10_000 + round * 100,
    );
    const b = await CallParticipant.join(
      prosody,
      ndc,
      `b${round.toString(16).padStart(7, '0')}`,
      room,
      20_000 + round * 100,
    );
    await Promise.all([a.answer(), b.answer()]);
    await waitUntil(
      'first RTP both ways',
      async () => {
        await exchange([a, b]);
        return a.receivedFrom(b).count > 0 && b.receivedFrom(a).count > 0;
      },
      15_000,
      5,
    );
    samples.push(Date.now() - started);
    await Promise.all([a.close(), b.close()]);
  }
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  process.stdout.write(
    [
      `bench/join: ${ROUNDS} rounds of 2 participants, conference request of the first -> first RTP received by both`,
      `  median ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${sorted[0]} ms, max ${sorted[sorted.length - 1]} ms`,
      `  command: npx tsx bench/join/run.ts --rounds ${ROUNDS}`,
      '',
    ].join('\n'),
  );
} finally {
  ndc.stop();
  await bridge?.close();
  await focus.stop();
  await prosody.close();
}
