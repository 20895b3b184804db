import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EjabberdError } from './errors.js';

export const EJABBERD_INSTALL_HINT = 'apt-get update && apt-get install -y ejabberd';

/** What starting Debian's ejabberd takes: the Erlang runtime and the directory holding ejabberd's applications. */
export interface EjabberdBinaries {
  erl: string;
  /** ERL_LIBS: the directory with `ejabberd-<version>/` and its dependencies. */
  erlLibs: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false; // not there, or not executable
  }
}

/**
 * Finds ejabberd through its `ejabberdctl` (on PATH or in /usr/sbin, which a user's PATH often lacks), reading the
 * Erlang runtime and ERL_LIBS from it as ejabberdctl itself does. We start `erl` ourselves rather than through
 * ejabberdctl: no Erlang distribution (no epmd, no node name, no cookie), and ejabberd stays our direct child.
 */
export function findEjabberd(pathVar: string): EjabberdBinaries | undefined {
  const dirs = [...pathVar.split(delimiter), '/usr/sbin'].filter((d) => d !== '');
  const ctl = dirs.map((d) => join(d, 'ejabberdctl')).find(executable);
  if (ctl === undefined) return undefined;
  let script: string;
  try {
    script = readFileSync(ctl, 'utf8');
  } catch {
    return undefined; // unreadable: treat as not installed
  }
  const erl = /^\s*ERL="?([^"\n]+)"?\s*$/m.exec(script)?.[1] ?? '/usr/bin/erl';
  const erlLibs = /^\s*ERL_LIBS='?"?([^'"\n]+)'?"?\s*$/m.exec(script)?.[1];
  if (erlLibs === undefined || !executable(erl)) return undefined;
  return { erl, erlLibs };
}

/** Finds ejabberd; when missing and `install` is set and we are root, installs Debian's package with apt-get. */
export function ensureEjabberd(options: { install: boolean; pathVar: string }): EjabberdBinaries {
  const found = findEjabberd(options.pathVar);
  if (found !== undefined) return found;
  if (options.install && process.getuid?.() === 0) {
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'ejabberd']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit' });
      if (r.status !== 0)
        throw new EjabberdError('ejabberd-missing', `apt-get ${args.join(' ')} failed; run: ${EJABBERD_INSTALL_HINT}`);
    }
    const installed = findEjabberd(options.pathVar);
    if (installed !== undefined) return installed;
  }
  const sudo = process.getuid?.() === 0 ? EJABBERD_INSTALL_HINT : `sudo sh -c '${EJABBERD_INSTALL_HINT}'`;
  throw new EjabberdError('ejabberd-missing', `ejabberd is not installed; install it with: ${sudo}`);
}
