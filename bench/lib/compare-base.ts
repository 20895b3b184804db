// npm run bench -- --base <commit>: CPU per forwarded packet of this tree's bridge and another commit's, in the
// same run, alternating (base, this, base, this...) so drift in the machine's other work falls on both alike.
import { Scenario, type StepResult } from './scenario.js';
import { prepareBaseTree } from './base-tree.js';

export interface CompareOptions {
  base: string;
  shapes: Array<{ senders: number; receivers: number; name: string }>;
  seconds: number;
  rounds: number;
  loadProcesses: number;
  profile: 'gcm' | 'cm';
  transportCc: number;
}

export interface CompareRow {
  scenario: string;
  base: StepResult[];
  current: StepResult[];
  baseUsPerPacket: number;
  currentUsPerPacket: number;
  ratio: number;
}

/** The median: a round the machine's other work starved (loss, a CPU-wait spike) moves it least. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function compareWithBase(o: CompareOptions): Promise<{ baseCommit: string; rows: CompareRow[] }> {
  const tree = prepareBaseTree(o.base);
  const rows: CompareRow[] = [];
  try {
    for (const shape of o.shapes) {
      const runs = { base: [] as StepResult[], current: [] as StepResult[] };
      for (let round = 0; round < o.rounds; round++)
        for (const which of ['base', 'current'] as const) {
          const s = await Scenario.convene({
            ...shape,
            loadProcesses: o.loadProcesses,
            profile: o.profile,
            transportCc: o.transportCc,
            ...(which === 'base' ? { bridgeProcess: tree.bridgeProcess } : {}),
          });
          try {
            await s.step({ seconds: 2, drainMs: 300 });
            const r = await s.step({ seconds: o.seconds });
            runs[which].push(r);
            console.error(
              `${which} ${shape.name} round ${round + 1}: ${r.cpuUsPerForwarded.toFixed(2)} µs/pkt, ` +
                `${r.forwardedPps.toFixed(0)} pkt/s, loss ${r.lossPct.toFixed(2)}%`,
            );
          } finally {
            await s.close();
          }
        }
      const b = median(runs.base.map((r) => r.cpuUsPerForwarded));
      const c = median(runs.current.map((r) => r.cpuUsPerForwarded));
      rows.push({ scenario: shape.name, ...runs, baseUsPerPacket: b, currentUsPerPacket: c, ratio: c / b });
    }
  } finally {
    tree.remove();
  }
  return { baseCommit: tree.commit, rows };
}
