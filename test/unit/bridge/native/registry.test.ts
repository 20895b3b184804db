// The addon's SRTP context registry (bridge/native/srtp/registry.c), compiled alone with a small driver: a handle
// names one context for good. One slot freed and reused thousands of times (what a long-running bridge does to the
// slot of its busiest endpoint churn) never lets an old handle find a later context: past its 2048th life the slot
// is retired. A stale handle that found another endpoint's context would encrypt with that endpoint's keys.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node');

function compilerMissing(): string | undefined {
  if (!existsSync(join(nodeInclude, 'openssl', 'evp.h'))) return `no node headers at ${nodeInclude}`;
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no C compiler (cc)';
  }
}

const missing = compilerMissing();
if (missing !== undefined) console.warn(`test/unit/bridge/native/registry skipped: ${missing}`);
const itCompiled = missing === undefined ? it : it.skip;

describe('the SRTP context registry', () => {
  itCompiled('never resolves a handle of an earlier life of a slot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convene-registry-'));
    try {
      const bin = join(dir, 'registry-check');
      execFileSync('cc', [
        '-O1',
        '-Wall',
        '-Werror',
        `-I${join(ROOT, 'bridge', 'native', 'srtp')}`,
        `-I${nodeInclude}`,
        join(ROOT, 'test', 'fixtures', 'native', 'registry-check.c'),
        join(ROOT, 'bridge', 'native', 'srtp', 'registry.c'),
        '-o',
        bin,
      ]);
      let out: string;
      try {
        out = execFileSync(bin, { encoding: 'utf8' });
      } catch (err) {
        throw new Error(`registry check failed: ${String((err as { stdout?: string }).stdout ?? err)}`);
      }
      expect(out).toMatch(/^ok: one slot lived 2048 times/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
