// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfPct: number;
  selfMs: number;
}

/** Functions by self time, highest first; idle and GC show as V8 names them ("(idle)", "(garbage collector)"). */
export function profileTop(
  path: string,
  limit = 15,
): { totalMs: number; top: ProfileEntry[]; bridgeInclusive: ProfileEntry[] } {
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
  // Inclusive time of the bridge's own functions (self + callees), each stack counted once per function.
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (n: ProfileNode, onStack: Set<string>): number => {
    let hits = n.hitCount ?? 0;
    const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
    const key = n.callFrame.url.includes('/bridge/src/')
      ? `${name} ${n.callFrame.url.replace(/^.*\/bridge\//, 'bridge/')}`
      : '';
    const fresh = key !== '' && !onStack.has(key);
    if (fresh) onStack.add(key);
    for (const c of n.children ?? []) hits += walk(byId.get(c)!, onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
    }
    return hits;
  };
  walk(p.nodes[0]!, new Set());
  const bridgeInclusive = [...inclusive]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, hits]) => {
      const [name = '', where = ''] = key.split(' ');
      return { name, where, selfMs: hits * perSample, selfPct: (100 * hits * perSample) / totalMs };
    });
  return { totalMs, top, bridgeInclusive };
}
