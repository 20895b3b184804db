import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temporary Prosody directory starts with this, so a sweep can find the ones a crashed owner left. */
export const RUN_DIR_PREFIX = 'convene-prosody-';
/** The same for ejabberd's. */
export const EJABBERD_RUN_DIR_PREFIX = 'convene-ejabberd-';
const OWNER_FILE = 'owner.pid';
/** The server's pid in a run directory: Prosody writes its own, the ejabberd launcher writes ejabberd's. */
const PID_FILES = ['prosody.pid', 'server.pid'];

/** Makes a fresh private run directory and records which process owns it. */
export function makeRunDir(prefix = RUN_DIR_PREFIX): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  return dir;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // no such file: nothing recorded
  }
}

/**
 * Removes run directories whose owning process is gone, killing any server still running from one
 * (Prosody and ejabberd die with their parent through PR_SET_PDEATHSIG, so that is a last resort). Returns what it removed.
 */
export function sweepStaleRunDirs(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(RUN_DIR_PREFIX) || n.startsWith(EJABBERD_RUN_DIR_PREFIX));
  } catch {
    return removed; // no temp dir to sweep
  }
  for (const name of names) {
    const dir = join(root, name);
    const owner = readPid(join(dir, OWNER_FILE));
    if (owner !== undefined && isAlive(owner)) continue;
    // A directory is briefly ownerless between mkdtemp and the owner file: leave young ones alone.
    if (owner === undefined && Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    for (const file of PID_FILES) {
      const serverPid = readPid(join(dir, file));
      if (serverPid === undefined || !isAlive(serverPid)) continue;
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
