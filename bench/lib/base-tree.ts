// Another commit's bridge, to measure against in the same run (npm run bench -- --base <commit>): its sources
// from `git archive`, this tree's node_modules (the workspaces linked to its own folders), this tree's native
// addon build (refused when the addon's sources differ), and this tree's bench bridge process driving it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface BaseTree {
  commit: string;
  /** The bench bridge process script inside the base tree. */
  bridgeProcess: string;
  remove(): void;
}

export function prepareBaseTree(ref: string): BaseTree {
  const commit = execFileSync('git', ['rev-parse', ref], { encoding: 'utf8' }).trim();
  try {
    execFileSync('git', ['diff', '--quiet', commit, '--', 'bridge/native']);
  } catch {
    throw new Error(`bridge/native differs from ${commit.slice(0, 8)}: its addon would need its own build`);
  }
  const dir = mkdtempSync('/tmp/convene-bench-base-');
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${dir}`]);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@convene'), { recursive: true });
  for (const name of readdirSync('node_modules'))
    if (name !== '@convene') symlinkSync(resolve('node_modules', name), join(modules, name));
  // Workspace links are relative (../../bridge): in the base tree they point at its own folders.
  for (const name of readdirSync('node_modules/@convene'))
    symlinkSync(readlinkSync(join('node_modules/@convene', name)), join(modules, '@convene', name));
  cpSync('bridge/native/build', join(dir, 'bridge/native/build'), { recursive: true });
  cpSync('bench/forward/bridge-process.ts', join(dir, 'bench/forward/bridge-process.ts'));
  return {
    commit,
    bridgeProcess: join(dir, 'bench/forward/bridge-process.ts'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
