// bench/focus-load: how much CPU the focus spends per 3-person conference, setting it up and keeping it.
// Real Prosody, the real focus process, a scripted Colibri2 bridge (so only the focus's work is measured),
// participants that signal like lib-jitsi-meet. The focus's CPU is read from /proc, so nothing else counts.
//
//   npx tsx bench/focus-load/run.ts [--conferences 60] [--batch 10] [--hold-s 10] [--presence-s 10]
import { readFileSync } from 'node:fs';
import { xml } from '@xmpp/client';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../test/harness/app-process.js';
import { ColibriPeer } from '../../test/harness/colibri-peer.js';
import { JitsiParticipant } from '../../test/harness/jitsi-participant.js';
import { startTestProsody } from '../../test/harness/prosody.js';
import { waitUntil } from '../../test/harness/wait-for.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const CONFERENCES = Number(args.get('conferences') ?? 60);
const BATCH = Number(args.get('batch') ?? 10);
const HOLD_S = Number(args.get('hold-s') ?? 10);
const PRESENCE_S = Number(args.get('presence-s') ?? 10);
const TICKS = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

const prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'b' }] });
const focusHttp = await freePort();
const focus = new AppProcess('focus/src/main.ts', {
  CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
  CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
  CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
  CONVENE_FOCUS_LOG_LEVEL: 'warn',
});
const people: JitsiParticipant[] = [];
let bridge: ColibriPeer | undefined;
try {
  await waitUntil(
    'focus http',
    async () => (await fetch(`http://127.0.0.1:${focusHttp}/about/version`).catch(() => undefined))?.ok === true,
    20_000,
  );
  bridge = await ColibriPeer.start(prosody, 'b', 'jvb1');
  const pid = focus.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();

  // Setup: conferences in batches; each member requests, joins, accepts its session.
  for (let first = 0; first < CONFERENCES; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, CONFERENCES - first) }, (_, k) => first + k);
    await Promise.all(
      batch.map(async (n) => {
        const room = `load${n}@conference.meet.localhost`;
        const members = await Promise.all(
          [0, 1, 2].map((m) => JitsiParticipant.connect(prosody, `${n.toString(16).padStart(5, '0')}00${m}`)),
        );
        people.push(...members);
        await members[0]!.requestConference(room);
        for (const p of members) await p.join(room);
        await Promise.all(
          members.map(async (p, m) => {
            const init = await p.nextJingle('session-initiate', 0, 30_000);
            await p.accept(init.jingle, 100_000 + n * 100 + m * 10);
          }),
        );
      }),
    );
  }
  const setupCpu = cpuSeconds(pid) - cpu0;
  const setupWall = (Date.now() - t0) / 1000;

  // Hold: every participant re-sends presence every PRESENCE_S seconds (mute, stats), as clients do.
  const cpu1 = cpuSeconds(pid);
  const t1 = Date.now();
  const timer = setInterval(() => {
    for (const p of people)
      void p.peer.send(xml('presence', { to: `${p.room}/${p.nick}` }, xml('stats-id', {}, `s${Date.now()}`)));
  }, PRESENCE_S * 1000);
  await new Promise((r) => setTimeout(r, HOLD_S * 1000));
  clearInterval(timer);
  const holdCpu = cpuSeconds(pid) - cpu1;
  const holdWall = (Date.now() - t1) / 1000;

  const perConfMs = (setupCpu / CONFERENCES) * 1000;
  const holdPct = (holdCpu / holdWall) * 100;
  const lines = [
    `bench/focus-load: ${CONFERENCES} conferences x 3 participants, batches of ${BATCH}`,
    `  setup: ${setupWall.toFixed(1)} s wall, focus CPU ${setupCpu.toFixed(2)} s = ${perConfMs.toFixed(1)} ms per conference (${(perConfMs / 3).toFixed(1)} ms per participant join)`,
    `  hold ${HOLD_S} s with a presence update per participant every ${PRESENCE_S} s: focus CPU ${holdPct.toFixed(1)}% of a core`,
    `  => at 50% of a core the focus sets up ${(500 / perConfMs).toFixed(1)} conferences/s; holding ${CONFERENCES} costs ${holdPct.toFixed(1)}% (` +
      `${((50 / Math.max(holdPct, 0.01)) * CONFERENCES).toFixed(0)} would reach 50% if it scales linearly)`,
    `  command: npx tsx bench/focus-load/run.ts --conferences ${CONFERENCES} --batch ${BATCH} --hold-s ${HOLD_S} --presence-s ${PRESENCE_S}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await Promise.all(people.map((p) => p.close().catch(() => undefined)));
  await bridge?.close();
  await focus.stop();
  await prosody.close();
}
