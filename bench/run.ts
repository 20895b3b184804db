// npm run bench: a scenario table (one conference, S senders x R receive-only endpoints, each sender
// audio 50 pkt/s x 120 B + video 300 pkt/s x 1100 B) on a Convene bridge process (dgram and native sockets),
// a ramp to the maximum forwarded packets/s per core, and the same through Janus's VideoRoom and mediasoup
// (full and minimal) in the same run, with ratios to mediasoup's first configuration.
// Results go to bench/results/<date>-<commit>.json and a Markdown table on stdout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { Scenario, warmUpScale } from './lib/scenario.js';
import { profileTop } from './lib/profile-top.js';
import { compareWithBase } from './lib/compare-base.js';
import { fmt, ratio, ratioTable, table, type ScenarioRow } from './lib/tables.js';
import { simulcastMarkdown, simulcastTable, type SimulcastRow } from './lib/simulcast-table.js';
import { startPinning } from './lib/pin.js';
import { medianRows, roundRatios } from './lib/rounds.js';
import { medianRamp, rampRoundsTable, runRamp, type RampResult } from './lib/ramp.js';
import { JanusServer, janusAvailable, janusScenario } from './janus/janus.js';
import { loadMediasoup, mediasoupScenario, type MediasoupConfig } from './mediasoup/mediasoup.js';

const { values } = parseArgs({
  options: {
    /** Scenarios of the main table (none: skip it). */
    scenarios: { type: 'string', default: '1x4,4x4,10x10,1x50' },
    /**
     * Scenarios of the simulcast table (#16; none: skip it): senders send three VP8 encodings, every endpoint asks
     * each of `simulcast-heights` in turn over colibri-ws (the first is the reference), on Convene's native socket.
     */
    simulcast: { type: 'string', default: '10x10' },
    /** `all`: no SIM group signalled and no constraints, every encoding to everyone (the bridge before #16). */
    'simulcast-heights': { type: 'string', default: '720,180,all' },
    'simulcast-rounds': { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    ramp: { type: 'string', default: '2x8' },
    'ramp-scales': { type: 'string', default: '1,2,3,4,6,8,12,16,24' },
    'no-ramp': { type: 'boolean', default: false },
    /** The ramp this many times per server, interleaved; the table shows each step's median (bench/lib/ramp.ts). */
    'ramp-rounds': { type: 'string', default: '1' },
    'load-processes': { type: 'string', default: '2' },
    /** The load peers' send tick in ms: 2 spreads each stream's packets out; 5-10 sends them in pacer-like bursts. */
    'pace-ms': { type: 'string', default: '2' },
    /** The server under test alone on the last core, the bench and its load on the others (bench/lib/pin.ts). */
    pin: { type: 'boolean', default: false },
    /** Each scenario this many times per server, interleaved; tables show the median round (bench/lib/rounds.ts). */
    'scenario-rounds': { type: 'string', default: '1' },
    profile: { type: 'string', default: 'gcm' },
    'cpu-prof': { type: 'string' },
    'no-janus': { type: 'boolean', default: false },
    /** Convene's sockets to run, each as its own server: node (dgram) and native (the addon's batched one). */
    udp: { type: 'string', default: 'node,native' },
    /** mediasoup configurations (full, minimal) or none; its worker is built by bench/mediasoup/build-worker.ts. */
    mediasoup: { type: 'string', default: 'full,minimal' },
    out: { type: 'string', default: 'bench/results' },
    /** Compare CPU per forwarded packet with this commit's bridge in the same run (scenarios only, no Janus). */
    base: { type: 'string' },
    /** With --base: measure this commit's bridge instead of this tree's (e.g. a change's two sides). */
    head: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    /** The senders' transport-cc extension id (the conference negotiates it and RTX, as Jitsi calls do); 0: none. */
    'transport-cc': { type: 'string', default: '5' },
  },
});

const seconds = Number(values.seconds);
const loadProcesses = Number(values['load-processes']);
const paceMs = Number(values['pace-ms']);
if (values.pin) startPinning();
const profile = values.profile === 'cm' ? 'cm' : 'gcm';
const shapeList = (s: string) => (s === 'none' || s === '' ? [] : s.split(',').map(parseShape));
const shapes = shapeList(values.scenarios);

/** `SxR`, or `SxR@k`: every stream at k times its rate (a scenario at load, e.g. for --base). */
function parseShape(s: string): Shape {
  const m = /^(\d+)x(\d+)(?:@(\d+(?:\.\d+)?))?$/.exec(s.trim());
  if (m === null) throw new Error(`scenario ${s}: expected SxR or SxR@k, e.g. 4x4 or 2x8@16`);
  return { senders: Number(m[1]), receivers: Number(m[2]), name: s.trim(), rateScale: Number(m[3] ?? 1) };
}

type Shape = { senders: number; receivers: number; name: string; rateScale: number };
type Start = (shape: Shape) => Promise<Scenario>;

const transportCc = Number(values['transport-cc']);
interface Server {
  name: string;
  start: Start;
}

async function runScenario(start: Start, shape: Shape): Promise<ScenarioRow> {
  const s = await start(shape);
  try {
    // Warm-up, not measured: socket buffers, Janus's first keyframe requests, and V8's JIT, which at 1400
    // packets/s had not optimized the bridge's packet path after 2 s (one 4 s step measured 57 µs/pkt after a
    // 2 s warm-up at the scenario's rate, 46-50 after one at 4x it). So a light scenario warms up at a multiple of
    // its rate, up to about 20,000 forwarded packets/s, which every server here takes without loss.
    await s.step({ seconds: 2, rateScale: warmUpScale(shape), drainMs: 300 });
    return {
      name: shape.name,
      senders: shape.senders,
      receivers: shape.receivers,
      ...(await s.step({ seconds, rateScale: shape.rateScale, paceMs })),
    };
  } finally {
    await s.close();
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).join(' ');
  const command = `npm run bench${argv === '' ? '' : ` -- ${argv}`}`;
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadavgAtStart: loadavg(),
  };
  const commit = git('rev-parse', 'HEAD');
  // Others work in the same tree: say which bridge sources differed from the commit when this ran.
  const uncommitted = git('status', '--porcelain', '--', 'bridge', 'bench', 'protocol').split('\n').filter(Boolean);
  const date = new Date().toISOString();
  console.error(`command: ${command}`);
  console.error(`commit ${commit.slice(0, 12)}, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  if (values.base !== undefined) {
    const cmp = await compareWithBase({
      base: values.base,
      ...(values.head === undefined ? {} : { head: values.head }),
      shapes,
      seconds,
      rounds: Number(values.rounds),
      loadProcesses,
      profile,
      transportCc,
      // A base from before the native socket (#19) runs on dgram whatever it is told: compare it with --udp node.
      udp: values.udp.split(',')[0] === 'native' ? 'native' : 'node',
    });
    const result = { machine, commit, uncommitted, date, command, profile, seconds, transportCc, ...cmp };
    mkdirSync(values.out, { recursive: true });
    const file = join(
      values.out,
      `${date.replace(/[:.]/g, '-')}-${(cmp.headCommit ?? commit).slice(0, 8)}-vs-${cmp.baseCommit.slice(0, 8)}.json`,
    );
    writeFileSync(file, await format(JSON.stringify(result), { ...(await resolveConfig(file)), parser: 'json' }));
    console.log(
      [
        `## npm run bench: ${cmp.headCommit === undefined ? `this bridge (${commit.slice(0, 8)})` : cmp.headCommit.slice(0, 8)} vs ${cmp.baseCommit.slice(0, 8)}, same run`,
        '',
        `\`${command}\`, ${seconds} s per step, ${values.rounds} alternating rounds each, SRTP ${profile}, transport-cc ${transportCc > 0 ? `id ${transportCc} + RTX` : 'off'}, load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`,
        '',
        '| scenario | base µs/fwd pkt | this µs/fwd pkt | ratio | median of per-round ratios |',
        '| --- | --- | --- | --- | --- |',
        ...cmp.rows.map(
          (r) =>
            `| ${r.scenario} | ${fmt(r.baseUsPerPacket, 2)} | ${fmt(r.currentUsPerPacket, 2)} | ${fmt(r.ratio, 3)} | ${fmt(r.pairedRatio, 3)} |`,
        ),
        '',
        `results: ${file}`,
      ].join('\n'),
    );
    return;
  }

  let cpuProfile: ReturnType<typeof profileTop> | undefined;
  if (values['cpu-prof'] !== undefined) {
    // One profiled run of the named scenario, separate from the measured ones (profiling costs CPU).
    const shape = parseShape(values['cpu-prof']);
    const dir = mkdtempSync(join('/tmp', 'convene-bench-prof-'));
    const s = await Scenario.convene({ ...shape, loadProcesses, profile, transportCc, cpuProfDir: dir });
    try {
      await s.step({ seconds, rateScale: shape.rateScale, drainMs: 300 });
    } finally {
      await s.close();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file !== undefined) {
      cpuProfile = profileTop(join(dir, file), 20);
      console.error(`bridge CPU profile of ${shape.name}: ${join(dir, file)}`);
    }
  }

  const why = values['no-janus'] ? 'skipped (--no-janus)' : janusAvailable();
  const janus = why === undefined ? await JanusServer.start() : undefined;
  if (why !== undefined) console.error(`janus: ${why}`);
  const onSignal = (): void => {
    void janus?.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const msConfigs = values.mediasoup.split(',').filter((c): c is MediasoupConfig => c === 'full' || c === 'minimal');
  const ms = msConfigs.length === 0 ? 'skipped (--mediasoup none)' : await loadMediasoup();
  if (typeof ms === 'string') console.error(`mediasoup: ${ms}`);

  // Every server under test, in the order they run for each scenario (interleaved, so drift in what else the
  // machine runs falls on all alike). The first mediasoup one is the reference of the ratio table.
  const servers: Server[] = [];
  for (const udp of values.udp.split(',')) {
    if (udp !== 'node' && udp !== 'native') continue;
    servers.push({
      name: `convene-${udp === 'node' ? 'dgram' : 'native'}`,
      start: (shape) => Scenario.convene({ ...shape, loadProcesses, profile, udp, transportCc }),
    });
  }
  if (janus !== undefined)
    servers.push({ name: 'janus', start: (shape) => janusScenario(janus, { ...shape, loadProcesses }) });
  if (typeof ms !== 'string')
    for (const c of msConfigs)
      servers.push({
        name: `mediasoup-${c}`,
        start: (shape) => mediasoupScenario(ms.ms, c, { ...shape, loadProcesses }),
      });

  const scenarioRounds = Math.max(1, Number(values['scenario-rounds']));
  const perRound = new Map<string, ScenarioRow[][]>(servers.map((sv) => [sv.name, []]));
  const ramps = new Map<string, RampResult>();
  const rampRounds = Math.max(1, Number(values['ramp-rounds']));
  const rampsPerRound = new Map<string, RampResult[]>();
  const simHeights = values['simulcast-heights'].split(',').map((h) => (h === 'all' ? 'all' : Number(h)));
  let simulcastRows: SimulcastRow[] | undefined;
  try {
    for (let round = 0; round < scenarioRounds; round++) {
      for (const sv of servers) perRound.get(sv.name)!.push([]);
      for (const shape of shapes) {
        for (const sv of servers) {
          const row = await runScenario(sv.start, shape);
          perRound.get(sv.name)![round]!.push(row);
          console.error(
            `${sv.name} ${shape.name}: ${fmt(row.forwardedPps)} pkt/s, ${fmt(row.cpuUsPerForwarded, 2)} µs/pkt, loss ${fmt(row.lossPct, 2)}%, p99 ${fmt(row.latencyP99Us)} µs`,
          );
        }
      }
    }
    const simShapes = shapeList(values.simulcast);
    const udp = values.udp.includes('native') ? 'native' : 'node';
    if (simShapes.length > 0)
      simulcastRows = await simulcastTable({
        shapes: simShapes,
        heights: simHeights,
        seconds,
        rounds: Number(values['simulcast-rounds']),
        start: (shape, maxHeight) =>
          Scenario.convene({ ...shape, loadProcesses, profile, udp, transportCc, simulcast: maxHeight }),
        log: (line) => console.error(line),
      });
    if (!values['no-ramp']) {
      const o = { scales: values['ramp-scales'].split(',').map(Number), seconds, paceMs, log: console.error };
      const shape = parseShape(values.ramp);
      for (let round = 0; round < rampRounds; round++)
        for (const sv of servers) {
          const r = await runRamp(await sv.start(shape), sv.name, shape, o);
          rampsPerRound.set(sv.name, [...(rampsPerRound.get(sv.name) ?? []), r]);
        }
      for (const [name, r] of rampsPerRound) ramps.set(name, medianRamp(r));
    }
  } finally {
    await janus?.close();
  }

  const rows = new Map([...perRound].map(([name, r]) => [name, medianRows(r)]));
  const result = {
    machine,
    commit,
    uncommitted,
    date,
    command,
    profile,
    seconds,
    loadProcesses,
    servers: Object.fromEntries(rows),
    scenarioRounds: scenarioRounds > 1 ? Object.fromEntries(perRound) : undefined,
    janus: janus === undefined ? { skipped: why } : undefined,
    mediasoup: typeof ms === 'string' ? { skipped: ms } : { version: ms.version, configs: msConfigs },
    ramp: Object.fromEntries(ramps),
    rampRounds: rampRounds > 1 ? Object.fromEntries(rampsPerRound) : undefined,
    simulcast: simulcastRows,
    cpuProfile,
  };
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `${date.replace(/[:.]/g, '-')}-${commit.slice(0, 8)}.json`);
  // Formatted as prettier would, so `npm run lint` passes with the results committed.
  writeFileSync(file, await format(JSON.stringify(result), { ...(await resolveConfig(file)), parser: 'json' }));

  const out: string[] = [];
  out.push(
    `## npm run bench (${machine.cores} cores, ${machine.cpu}, node ${machine.node}, commit ${commit.slice(0, 8)})`,
    '',
  );
  out.push(
    `\`${command}\`, ${seconds} s per scenario${scenarioRounds > 1 ? `, median of ${scenarioRounds} rounds` : ''}, SRTP ${profile}${values.pin ? ', server pinned to its own core' : ''}, load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`,
    '',
  );
  for (const [name, r] of rows) if (r.length > 0) out.push(`### ${name}`, '', table(r), '');
  const reference = [...rows.keys()].find((n) => n.startsWith('mediasoup')) ?? (janus !== undefined ? 'janus' : '');
  for (const [name, r] of rows) {
    if (name === reference || reference === '' || r.length === 0) continue;
    out.push(`### ${name} / ${reference}`, '', ratioTable(r, rows.get(reference)!), '');
    if (scenarioRounds > 1)
      out.push(
        `CPU µs/fwd pkt over ${scenarioRounds} rounds, median (range) of per-round ratios: ${roundRatios(perRound.get(name)!, perRound.get(reference)!)}`,
        '',
      );
  }
  if (simulcastRows !== undefined)
    out.push(
      `### Simulcast: every endpoint asks one height (convene-${values.udp.includes('native') ? 'native' : 'dgram'})`,
      '',
      simulcastMarkdown(simulcastRows, simHeights),
      '',
    );
  for (const [name, r] of ramps) {
    const median = rampRounds > 1 ? `, median of ${rampRounds} ramps` : '';
    out.push(`### Ramp ${r.shape}, ${name} (stopped by ${r.stoppedBy}${median})`, '', table(r.steps), '');
    if (rampRounds > 1)
      out.push(
        `Per step over the ${rampRounds} ramps, median (range):`,
        '',
        rampRoundsTable(rampsPerRound.get(name)!),
        '',
      );
    out.push(
      `max forwarded with loss <= 1%: ${fmt(r.maxForwardedPps)} pkt/s; per full core: ${fmt(r.maxForwardedPpsPerCore)} pkt/s`,
      '',
    );
  }
  const refRamp = ramps.get(reference);
  for (const [name, r] of ramps) {
    if (name === reference || refRamp === undefined) continue;
    out.push(
      `${name} / ${reference}: max forwarded ${ratio(r.maxForwardedPps, refRamp.maxForwardedPps)}, per core ${ratio(r.maxForwardedPpsPerCore, refRamp.maxForwardedPpsPerCore)}`,
      '',
    );
  }
  if (cpuProfile !== undefined) {
    out.push(
      `### Bridge CPU profile (${values['cpu-prof']}, self time)`,
      '',
      '| function | where | self % |',
      '| --- | --- | --- |',
    );
    for (const e of cpuProfile.top) out.push(`| ${e.name} | ${e.where} | ${fmt(e.selfPct, 1)} |`);
    out.push('');
    out.push(
      'Bridge functions, inclusive (self + callees):',
      '',
      '| function | file | total % |',
      '| --- | --- | --- |',
    );
    for (const e of cpuProfile.bridgeInclusive) out.push(`| ${e.name} | ${e.where} | ${fmt(e.selfPct, 1)} |`);
    out.push('');
  }
  out.push(`results: ${file}`);
  console.log(out.join('\n'));
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
