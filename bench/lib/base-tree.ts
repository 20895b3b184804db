// Another commit's bridge, to measure against in the same run (npm run bench -- --base <commit>): its sources
// from `git archive`, this tree's node_modules (the workspaces linked to its own folders), its own native addon
// (this tree's build when the addon's sources are the same, else built in the base tree with the base's
// build.js), and this tree's bench bridge process driving it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';

export interface BaseTree {
  commit: string;
  /** The bench bridge process script inside the base tree. */
  bridgeProcess: string;
  remove(): void;
}

export function prepareBaseTree(ref: string): BaseTree {
  const commit = execFileSync('git', ['rev-parse', ref], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync('/tmp/convene-bench-base-');
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${dir}`]);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@convene'), { recursive: true });
  for (const name of readdirSync('node_modules'))
    if (name !== '@convene') symlinkSync(resolve('node_modules', name), join(modules, name));
  // Workspace links are relative (../../bridge): in the base tree they point at its own folders.
  for (const name of readdirSync('node_modules/@convene'))
    symlinkSync(readlinkSync(join('node_modules/@convene', name)), join(modules, '@convene', name));
  if (sameNativeSources(commit)) cpSync('bridge/native/build', join(dir, 'bridge/native/build'), { recursive: true });
  else buildBaseAddon(dir, commit);
  cpSync('bench/forward/bridge-process.ts', join(dir, 'bench/forward/bridge-process.ts'));
  return {
    commit,
    bridgeProcess: join(dir, 'bench/forward/bridge-process.ts'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function sameNativeSources(commit: string): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', commit, '--', 'bridge/native']);
    return true;
  } catch {
    return false;
  }
}

/** The base's addon from its own sources, with its own build.js (which never fails: it prints a warning line). */
function buildBaseAddon(dir: string, commit: string): void {
  process.stdout.write(`bench: building ${commit.slice(0, 8)}'s native addon in ${dir} (its sources differ)\n`);
  const out = execFileSync(process.execPath, [join(dir, 'bridge/native/build.js')], { cwd: dir, encoding: 'utf8' });
  if (!existsSync(join(dir, 'bridge/native/build/Release/convene_native.node')))
    throw new Error(`the native addon of ${commit.slice(0, 8)} did not build: ${out.trim().split('\n').pop() ?? ''}`);
}
