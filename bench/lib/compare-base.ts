// npm run bench -- --base <commit>: CPU per forwarded packet of this tree's bridge and another commit's, in the
// same run, alternating (base, this, base, this...) so drift in the machine's other work falls on both alike.
import { Scenario, warmUpScale, type StepResult } from './scenario.js';
import { prepareBaseTree } from './base-tree.js';

export interface CompareOptions {
  base: string;
  /** Measure this commit's bridge instead of the working tree's (two past commits against each other). */
  head?: string;
  /** `rateScale`: every stream at that multiple of its rate. */
  shapes: Array<{ senders: number; receivers: number; name: string; rateScale: number }>;
  seconds: number;
  rounds: number;
  loadProcesses: number;
  profile: 'gcm' | 'cm';
  transportCc: number;
  /** The socket of both bridges (a base without the native socket ignores it and uses dgram). */
  udp: 'native' | 'node';
}

export interface CompareRow {
  scenario: string;
  base: StepResult[];
  current: StepResult[];
  baseUsPerPacket: number;
  currentUsPerPacket: number;
  ratio: number;
  /** The median of each round's this / base (lossless rounds), robust to load that drifts between rounds. */
  pairedRatio: number;
}

/** The median: a round the machine's other work starved (loss, a CPU-wait spike) moves it least; NaN for none. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function compareWithBase(
  o: CompareOptions,
): Promise<{ baseCommit: string; headCommit: string | undefined; rows: CompareRow[] }> {
  const tree = prepareBaseTree(o.base);
  const headTree = o.head === undefined ? undefined : prepareBaseTree(o.head);
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
            udp: o.udp,
            ...(which === 'base' ? { bridgeProcess: tree.bridgeProcess } : {}),
            ...(which === 'current' && headTree !== undefined ? { bridgeProcess: headTree.bridgeProcess } : {}),
          });
          try {
            await s.step({ seconds: 2, rateScale: warmUpScale(shape), drainMs: 300 });
            const r = await s.step({ seconds: o.seconds, rateScale: shape.rateScale });
            runs[which].push(r);
            console.error(
              `${which} ${shape.name} round ${round + 1}: ${r.cpuUsPerForwarded.toFixed(2)} µs/pkt, ` +
                `${r.forwardedPps.toFixed(0)} pkt/s, loss ${r.lossPct.toFixed(2)}%`,
            );
          } finally {
            await s.close();
          }
        }
      // Rounds whose load processes were starved (loss) say little about the bridge's cost per packet.
      const clean = (rs: StepResult[]) => (rs.some((r) => r.lossPct <= 1) ? rs.filter((r) => r.lossPct <= 1) : rs);
      const b = median(clean(runs.base).map((r) => r.cpuUsPerForwarded));
      const c = median(clean(runs.current).map((r) => r.cpuUsPerForwarded));
      // Each round's two runs back to back see about the same load from the machine's other work.
      const paired = median(
        runs.current
          .map((r, i) => [r, runs.base[i]!] as const)
          .filter(([x, y]) => x.lossPct <= 1 && y.lossPct <= 1)
          .map(([x, y]) => x.cpuUsPerForwarded / y.cpuUsPerForwarded),
      );
      rows.push({
        scenario: shape.name,
        ...runs,
        baseUsPerPacket: b,
        currentUsPerPacket: c,
        ratio: c / b,
        pairedRatio: paired,
      });
    }
  } finally {
    tree.remove();
    headTree?.remove();
  }
  return { baseCommit: tree.commit, headCommit: headTree?.commit, rows };
}
