// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfPct: number;
  selfMs: number;
}

/** Functions by self time, highest first; idle and GC show as V8 names them ("(idle)", "(garbage collector)"). */
export function profileTop(path: string, limit = 15): { totalMs: number; top: ProfileEntry[] } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  const totalMs = (p.endTime - p.startTime) / 1000;
  const perSample = totalMs / Math.max(1, p.samples.length);
  const byKey = new Map<string, ProfileEntry>();
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const file = n.callFrame.url.replace(/^file:\/\/.*?\/(bridge|node_modules|protocol)\//, '$1/');
    const where = file === '' ? '' : `${file}:${n.callFrame.lineNumber + 1}`;
    const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
    const key = `${name} ${where}`;
    const e = byKey.get(key) ?? { name, where, selfPct: 0, selfMs: 0 };
    e.selfMs += hits * perSample;
    byKey.set(key, e);
  }
  const top = [...byKey.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, limit);
  for (const e of top) e.selfPct = (100 * e.selfMs) / totalMs;
  return { totalMs, top };
}
