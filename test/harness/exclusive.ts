// Tests that measure rates through shaped links (tc tbf in namespaces) run one at a time across jest's workers: two
// of them side by side on this 2-core machine starve each other's peers, and an estimate is then the machine's, not
// the bridge's. A lock file in the OS temp directory, holding the owner's pid; a dead owner's lock is taken over.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `timeoutMs`) for the lock `name`; returns its release. */
export async function exclusive(name: string, timeoutMs = 300_000): Promise<() => void> {
  const path = join(tmpdir(), `convene-${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(path, { encoding: 'utf8', flag: 'r' }) || '0');
    if (owner > 0 && owner !== process.pid && !alive(owner)) rmSync(path, { force: true });
    else if (Date.now() > deadline) throw new Error(`${path} still held by pid ${owner} after ${timeoutMs} ms`);
    else await new Promise((r) => setTimeout(r, 200));
  }
}
