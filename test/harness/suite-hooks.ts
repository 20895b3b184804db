import { readdirSync, readFileSync } from 'node:fs';
import { ensureProsody, RUN_DIR_PREFIX, sweepStaleRunDirs } from '@convene/xmpp-server';

/** Integration tests need Debian's Prosody: install it when we are root (CI), else say how. */
export function setup(): void {
  // eslint-disable-next-line no-restricted-properties -- test harness entry point
  ensureProsody({ install: true, pathVar: process.env.PATH ?? '' });
  sweepStaleRunDirs();
}

/** After the integration run no Prosody started by a test may be left running. */
export function teardown(): void {
  sweepStaleRunDirs();
  const leftovers = prosodyProcesses();
  if (leftovers.length > 0) throw new Error(`prosody processes left after the suite:\n${leftovers.join('\n')}`);
}

/** Prosody processes running from one of our temporary run directories. */
export function prosodyProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    if (cmdline.includes(RUN_DIR_PREFIX) && cmdline.includes('prosody')) found.push(`${pid}: ${cmdline.trim()}`);
  }
  return found;
}
