// After the integration run no Prosody started by a test may be left running.
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_DIR_PREFIX, sweepStaleRunDirs } from '@convene/xmpp-server';

export default function globalTeardown(): void {
  sweepStaleRunDirs();
  const leftovers: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    if (cmdline.includes(RUN_DIR_PREFIX) && /prosody/.test(cmdline)) leftovers.push(`${pid}: ${cmdline}`);
  }
  if (leftovers.length > 0) throw new Error(`prosody processes left after the suite:\n${leftovers.join('\n')}`);
}
