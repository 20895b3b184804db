import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { INSTALL_HINT, ProsodyError } from './errors.js';

/** Absolute paths of the Prosody binaries, if installed. */
export interface ProsodyBinaries {
  prosody: string;
  prosodyctl: string;
}

function which(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue; // not in this directory
    }
  }
  return undefined;
}

export function findProsody(pathVar: string): ProsodyBinaries | undefined {
  const prosody = which('prosody', pathVar);
  const prosodyctl = which('prosodyctl', pathVar);
  return prosody !== undefined && prosodyctl !== undefined ? { prosody, prosodyctl } : undefined;
}

/** The command an operator runs to install Prosody, with sudo unless already root. */
export function installCommand(): string {
  return process.getuid?.() === 0 ? INSTALL_HINT : `sudo sh -c '${INSTALL_HINT}'`;
}

/**
 * Finds Prosody; when it is missing and `install` is set and we are root, installs it with apt-get.
 * Otherwise throws a ProsodyError naming the command to run.
 */
export function ensureProsody(options: { install: boolean; pathVar: string }): ProsodyBinaries {
  const found = findProsody(options.pathVar);
  if (found !== undefined) return found;
  if (options.install && process.getuid?.() === 0 && which('apt-get', options.pathVar) !== undefined) {
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'prosody']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit' });
      if (r.status !== 0) {
        throw new ProsodyError('prosody-missing', `apt-get ${args.join(' ')} failed; install it with: ${INSTALL_HINT}`);
      }
    }
    const installed = findProsody(options.pathVar);
    if (installed !== undefined) return installed;
  }
  throw new ProsodyError('prosody-missing', `prosody is not installed; install it with: ${installCommand()}`);
}
