// bench/soak (issue #13 item 7): rooms of three raw participants (real ICE/DTLS/SRTP, lib-jitsi-meet-style
// signalling) join, talk and leave in every way a user can, for --minutes, with the bridge killed and replaced
// halfway. Samples RSS and open descriptors of Prosody, the focus and the bridge as it goes, then after idle, and
// prints the slopes after warm-up, the counts left over, and the rounds that got media out of the rounds run.
//   npm run soak -- --minutes 60
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../test/harness/app-process.js';
import { BridgeProcess } from '../../test/harness/bridge-process.js';
import { waitForBridges } from '../../test/harness/focus-stats.js';
import { startTestProsody } from '../../test/harness/prosody.js';
import { RawCallParticipant } from '../../test/harness/raw-call-participant.js';
import { waitUntil } from '../../test/harness/wait-for.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'talk-ms': { type: 'string', default: '1500' },
    'idle-seconds': { type: 'string', default: '20' },
  },
});
const minutes = Number(values.minutes);
const talkMs = Number(values['talk-ms']);
const idleSeconds = Number(values['idle-seconds']);
const PASSWORD = 'bridge-soak';

/** How a round ends: the ways a group of users leaves. */
const ENDINGS = ['all at once', 'one by one', 'tabs closed', 'media first, room later'] as const;
type Ending = (typeof ENDINGS)[number];

interface Sample {
  round: number;
  at: number;
  rss: Record<string, number>;
  fds: Record<string, number>;
}

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function json(url: string): Promise<Record<string, number>> {
  return (await (await fetch(url)).json()) as Record<string, number>;
}

async function leave(round: RawCallParticipant[], how: Ending): Promise<void> {
  switch (how) {
    case 'all at once':
      for (const p of round) p.closeMedia();
      await Promise.all(round.map((p) => p.signalling.leave()));
      await Promise.all(round.map((p) => p.close()));
      return;
    case 'one by one':
      for (const p of round) {
        p.closeMedia();
        await p.signalling.leave();
        await p.close();
        await new Promise((r) => setTimeout(r, 200));
      }
      return;
    case 'tabs closed': // no close_notify, no unavailable presence of our own: the server notices the closed stream
      await Promise.all(round.map((p) => p.signalling.close()));
      for (const p of round) p.closeMedia();
      return;
    case 'media first, room later':
      for (const p of round) p.closeMedia();
      await new Promise((r) => setTimeout(r, 1000));
      await Promise.all(round.map((p) => p.close()));
      return;
  }
}

async function main(): Promise<void> {
  const prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }],
  });
  const focusHttp = await freePort();
  const focus = new AppProcess('focus/src/main.ts', {
    CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
    CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
    CONVENE_FOCUS_LOG_LEVEL: 'warn',
  });
  await focus.logLine('focus ready').catch(() => undefined);
  const startBridge = (id: string) =>
    BridgeProcess.start({
      prosody,
      password: PASSWORD,
      bridgeId: id,
      args: ['--log-level', 'info'],
      videoWithoutConstraints: true,
    });
  let bridge = await startBridge('jvb1');
  await waitForBridges(focusHttp, 1);

  const pids = () => ({ prosody: prosody.pid!, focus: focus.child.pid!, bridge: bridge.child.pid! });
  const samples: Sample[] = [];
  const sample = (round: number) => {
    const p = pids();
    samples.push({
      round,
      at: Date.now(),
      rss: { prosody: rssKb(p.prosody), focus: rssKb(p.focus), bridge: rssKb(p.bridge) },
      fds: { prosody: fdCount(p.prosody), focus: fdCount(p.focus), bridge: fdCount(p.bridge) },
    });
  };

  const deadline = Date.now() + minutes * 60_000;
  const restartAt = Date.now() + (minutes * 60_000) / 2;
  let restarted = false;
  let rounds = 0;
  let withMedia = 0;
  const failures: string[] = [];
  let restartRound = -1;
  sample(0);
  while (Date.now() < deadline) {
    if (!restarted && Date.now() >= restartAt) {
      restarted = true;
      restartRound = rounds;
      await bridge.close();
      bridge = await startBridge('jvb2');
      await waitForBridges(focusHttp, 1, 30_000).catch(() => undefined);
    }
    const r = rounds++;
    const room = `soak-${r}@conference.meet.localhost`;
    const tag = (r % 4096).toString(16).padStart(3, '0');
    const base = 100_000 + (r % 50_000) * 10;
    const round: RawCallParticipant[] = [];
    try {
      for (const s of ['a', 'b', 'c'])
        round.push(await RawCallParticipant.join(prosody, `${tag}${s}0000`, room, base + round.length * 3));
      await Promise.all(round.map((p) => p.answer(15_000)));
      await Promise.all(round.map((p) => p.connected(15_000)));
      await waitUntil(
        'everyone to receive everyone',
        () => {
          for (const p of round) p.send();
          return round.every((rx) => round.every((tx) => tx === rx || rx.receivedFrom(tx) >= 2));
        },
        10_000,
        50,
      );
      const until = Date.now() + talkMs;
      while (Date.now() < until) {
        for (const p of round) p.send();
        await new Promise((res) => setTimeout(res, 20));
      }
      withMedia++;
    } catch (err) {
      failures.push(`round ${r}: ${(err as Error).message.split('\n')[0]}`);
    }
    await leave(round, ENDINGS[r % ENDINGS.length]!).catch((err: unknown) =>
      failures.push(`leave ${r}: ${String(err)}`),
    );
    if (r % 10 === 9) sample(rounds);
  }
  // Idle: everything the rounds created must be gone.
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  sample(rounds);
  const focusStats = await json(`http://127.0.0.1:${focusHttp}/stats`);
  const bridgeStats = await json(`${bridge.httpUrl}/colibri/stats`);

  const warm = samples.filter((s) => s.round >= Math.min(50, rounds / 5));
  const table = ['prosody', 'focus', 'bridge'].map((name) => {
    // The bridge was replaced halfway: its slope counts only the second bridge's samples.
    const own = name === 'bridge' ? warm.filter((s) => s.round > restartRound + 10) : warm;
    const xs = own.map((s) => s.round);
    return {
      process: name,
      rssStartMb: (samples[0]!.rss[name]! / 1024).toFixed(1),
      rssEndMb: (samples.at(-1)!.rss[name]! / 1024).toFixed(1),
      rssSlopeMbPer100Rounds: (
        (slope(
          xs,
          own.map((s) => s.rss[name]!),
        ) *
          100) /
        1024
      ).toFixed(2),
      fdsStart: samples[0]!.fds[name],
      fdsEnd: samples.at(-1)!.fds[name],
      fdSlopePer100Rounds: (
        slope(
          xs,
          own.map((s) => s.fds[name]!),
        ) * 100
      ).toFixed(2),
    };
  });
  const result = {
    command: `npm run soak -- --minutes ${minutes} --talk-ms ${talkMs} --idle-seconds ${idleSeconds}`,
    minutes,
    rounds,
    roundsWithMedia: withMedia,
    bridgeRestartedAtRound: restartRound,
    afterIdle: {
      focusConferences: focusStats.conferences,
      focusParticipants: focusStats.participants,
      bridgeConferences: bridgeStats.conferences,
      bridgeEndpoints: bridgeStats.participants,
    },
    table,
    failures: failures.slice(0, 20),
    samples,
  };
  console.log(`command: ${result.command}`);
  console.log(`rounds: ${withMedia} of ${rounds} with media; bridge replaced at round ${restartRound}`);
  console.log(`after ${idleSeconds} s idle: ${JSON.stringify(result.afterIdle)}`);
  console.table(table);
  if (failures.length > 0)
    console.log(`failures (first ${Math.min(20, failures.length)}):\n${failures.slice(0, 20).join('\n')}`);
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`results: ${file}`);
  await bridge.close();
  await focus.stop();
  await prosody.close();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
