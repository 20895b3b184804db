import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  EJABBERD_RUN_DIR_PREFIX,
  ensureEjabberd,
  ensureProsody,
  RUN_DIR_PREFIX,
  sweepStaleRunDirs,
} from '@convene/xmpp-server';

/**
 * Integration and e2e tests need Debian's Prosody, ejabberd and Chromium: install them when we are root (CI), else
 * say how.
 */
export function setup(): void {
  // eslint-disable-next-line no-restricted-properties -- test harness entry point
  const pathVar = process.env.PATH ?? '';
  ensureProsody({ install: true, pathVar });
  ensureEjabberd({ install: true, pathVar });
  ensureChromium();
  sweepStaleRunDirs();
}

const CHROMIUM = '/usr/bin/chromium';

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const hint = 'apt-get update && apt-get install -y chromium';
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install it with: sudo sh -c '${hint}'`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit' }).status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed; run: ${hint}`);
  }
}

/** After the integration run no Prosody or ejabberd started by a test may be left running without its owner. */
export function teardown(): void {
  const leftovers = orphanedProsodies();
  sweepStaleRunDirs();
  if (leftovers.length > 0) throw new Error(`prosody processes left after the suite:\n${leftovers.join('\n')}`);
}

/**
 * Prosody processes whose owner (the test process that started them) is gone. Other suites may run beside this
 * one on a developer's machine; their Prosodies still have live owners and are not ours to judge.
 */
function orphanedProsodies(): string[] {
  return prosodyProcesses().filter((p) => {
    const dir = /--config (\S+)\/prosody\.cfg\.lua/.exec(p)?.[1] ?? /-mnesia dir "?(\S+?)\/spool/.exec(p)?.[1];
    if (dir === undefined) return true;
    try {
      const owner = Number.parseInt(readFileSync(`${dir}/owner.pid`, 'utf8'), 10);
      process.kill(owner, 0);
      return false;
    } catch {
      return true;
    }
  });
}

/** Prosody and ejabberd processes running from one of our temporary run directories. */
export function prosodyProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    const prosody = cmdline.includes(RUN_DIR_PREFIX) && cmdline.includes('prosody');
    const ejabberd = cmdline.includes(EJABBERD_RUN_DIR_PREFIX) && cmdline.includes('beam');
    if (prosody || ejabberd) found.push(`${pid}: ${cmdline.trim()}`);
  }
  return found;
}
