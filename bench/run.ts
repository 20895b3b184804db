// npm run bench: a scenario table (one conference, S senders x R receive-only endpoints, each sender
// audio 50 pkt/s x 120 B + video 300 pkt/s x 1100 B) on a Convene bridge process, a ramp to the maximum
// forwarded packets/s per core, and (with --janus) the same through Janus's VideoRoom, with ratios.
// Results go to bench/results/<date>-<commit>.json and a Markdown table on stdout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConveneScenario, type StepResult } from './lib/scenario.js';
import { profileTop } from './lib/profile-top.js';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '1x4,4x4,10x10,1x50' },
    seconds: { type: 'string', default: '5' },
    ramp: { type: 'string', default: '2x8' },
    'ramp-scales': { type: 'string', default: '1,2,3,4,6,8,12,16,24' },
    'no-ramp': { type: 'boolean', default: false },
    'load-processes': { type: 'string', default: '2' },
    profile: { type: 'string', default: 'gcm' },
    'cpu-prof': { type: 'string' },
    janus: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
  },
});

const seconds = Number(values.seconds);
const loadProcesses = Number(values['load-processes']);
const profile = values.profile === 'cm' ? 'cm' : 'gcm';
const shapes = values.scenarios.split(',').map(parseShape);

function parseShape(s: string): { senders: number; receivers: number; name: string } {
  const m = /^(\d+)x(\d+)$/.exec(s.trim());
  if (m === null) throw new Error(`scenario ${s}: expected SxR, e.g. 4x4`);
  return { senders: Number(m[1]), receivers: Number(m[2]), name: s.trim() };
}

export interface ScenarioRow extends StepResult {
  name: string;
  senders: number;
  receivers: number;
}

export interface RampResult {
  shape: string;
  steps: ScenarioRow[];
  stoppedBy: 'loss' | 'cpu' | 'end';
  /** The highest delivered rate with loss <= 1%. */
  maxForwardedPps: number;
  /** That step's rate divided by the share of one core the bridge used: packets/s one full core forwards. */
  maxForwardedPpsPerCore: number;
}

async function runScenario(shape: { senders: number; receivers: number; name: string }): Promise<ScenarioRow> {
  const s = await ConveneScenario.start({ ...shape, loadProcesses, profile });
  try {
    await s.step({ seconds: 1, drainMs: 300 }); // warm-up: JIT, socket buffers
    return { name: shape.name, senders: shape.senders, receivers: shape.receivers, ...(await s.step({ seconds })) };
  } finally {
    await s.close();
  }
}

async function ramp(shapeText: string, scales: number[]): Promise<RampResult> {
  const shape = parseShape(shapeText);
  const s = await ConveneScenario.start({ ...shape, loadProcesses, profile });
  const steps: ScenarioRow[] = [];
  let stoppedBy: RampResult['stoppedBy'] = 'end';
  try {
    await s.step({ seconds: 1, drainMs: 300 });
    for (const rateScale of scales) {
      const r = { ...shape, name: `${shape.name}@x${rateScale}`, ...(await s.step({ seconds, rateScale })) };
      steps.push(r);
      console.error(
        `ramp x${rateScale}: ${r.forwardedPps.toFixed(0)} pkt/s, loss ${r.lossPct.toFixed(2)}%, bridge CPU ${r.bridgeCpuPct.toFixed(0)}%`,
      );
      if (r.lossPct > 1) {
        stoppedBy = 'loss';
        break;
      }
      if (r.bridgeCpuPct >= 95) {
        stoppedBy = 'cpu';
        break;
      }
    }
  } finally {
    await s.close();
  }
  const good = steps.filter((r) => r.lossPct <= 1);
  const best = good.reduce<ScenarioRow | undefined>(
    (b, r) => (b === undefined || r.forwardedPps > b.forwardedPps ? r : b),
    undefined,
  );
  return {
    shape: shapeText,
    steps,
    stoppedBy,
    maxForwardedPps: best?.forwardedPps ?? 0,
    maxForwardedPpsPerCore: best === undefined ? 0 : best.forwardedPps / (best.bridgeCpuPct / 100),
  };
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

const COLUMNS: Array<[string, (r: ScenarioRow) => string]> = [
  ['scenario', (r) => r.name],
  ['offered pkt/s', (r) => fmt(r.offeredPps)],
  ['forwarded pkt/s', (r) => fmt(r.forwardedPps)],
  ['loss %', (r) => fmt(r.lossPct, 2)],
  ['bridge CPU %', (r) => fmt(r.bridgeCpuPct, 1)],
  ['CPU µs/fwd pkt', (r) => fmt(r.cpuUsPerForwarded, 2)],
  ['latency p50 µs', (r) => fmt(r.latencyP50Us)],
  ['latency p99 µs', (r) => fmt(r.latencyP99Us)],
  ['RSS MiB', (r) => fmt(r.rssMiB, 1)],
  ['load CPU %', (r) => fmt(r.loadCpuPct, 0)],
];

function table(rows: ScenarioRow[]): string {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const sep = `| ${COLUMNS.map(() => '---').join(' | ')} |`;
  return [head, sep, ...rows.map((r) => `| ${COLUMNS.map(([, f]) => f(r)).join(' | ')} |`)].join('\n');
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
  const date = new Date().toISOString();
  console.error(`command: ${command}`);
  console.error(`commit ${commit.slice(0, 12)}, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);

  let cpuProfile: ReturnType<typeof profileTop> | undefined;
  if (values['cpu-prof'] !== undefined) {
    // One profiled run of the named scenario, separate from the measured ones (profiling costs CPU).
    const shape = parseShape(values['cpu-prof']);
    const dir = mkdtempSync(join('/tmp', 'convene-bench-prof-'));
    const s = await ConveneScenario.start({ ...shape, loadProcesses, profile, cpuProfDir: dir });
    try {
      await s.step({ seconds, drainMs: 300 });
    } finally {
      await s.close();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file !== undefined) {
      cpuProfile = profileTop(join(dir, file), 20);
      console.error(`bridge CPU profile of ${shape.name}: ${join(dir, file)}`);
    }
  }

  const convene: ScenarioRow[] = [];
  for (const shape of shapes) {
    const row = await runScenario(shape);
    convene.push(row);
    console.error(
      `${shape.name}: ${fmt(row.forwardedPps)} pkt/s, ${fmt(row.cpuUsPerForwarded, 2)} µs/pkt, loss ${fmt(row.lossPct, 2)}%`,
    );
  }
  const rampResult = values['no-ramp']
    ? undefined
    : await ramp(values.ramp, values['ramp-scales'].split(',').map(Number));

  const result = {
    machine,
    commit,
    date,
    command,
    profile,
    seconds,
    loadProcesses,
    convene,
    ramp: rampResult,
    cpuProfile,
  };
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `${date.replace(/[:.]/g, '-')}-${commit.slice(0, 8)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

  const out: string[] = [];
  out.push(
    `## Convene bridge (${machine.cores} cores, ${machine.cpu}, node ${machine.node}, commit ${commit.slice(0, 8)})`,
    '',
  );
  out.push(
    `\`${command}\`, ${seconds} s per scenario, SRTP ${profile}, load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`,
    '',
  );
  out.push(table(convene), '');
  if (rampResult !== undefined) {
    out.push(`### Ramp ${rampResult.shape} (stopped by ${rampResult.stoppedBy})`, '', table(rampResult.steps), '');
    out.push(
      `max forwarded with loss <= 1%: ${fmt(rampResult.maxForwardedPps)} pkt/s; per full core: ${fmt(rampResult.maxForwardedPpsPerCore)} pkt/s`,
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
  }
  out.push(`results: ${file}`);
  console.log(out.join('\n'));
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
