// npm postinstall: builds the bridge's native addon (bridge/native: DTLS and SRTP on node's own OpenSSL) with
// the node-gyp that ships with npm. It never fails the install: without a compiler or node headers it prints one
// warning line, and the bridge then refuses to start with a line saying how to build it (DTLS has no fallback).
// CONVENE_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

// eslint-disable-next-line no-restricted-properties -- a build script run by npm, configured by npm's environment
const env = process.env;
const addonDir = dirname(fileURLToPath(import.meta.url));
const prefix = join(dirname(process.execPath), '..');

function say(line) {
  process.stdout.write(`convene: ${line}\n`);
}

/** npm's own node-gyp: npm run-script exports its path; else where npm installs next to node. */
function findNodeGyp() {
  const candidates = [
    env.npm_config_node_gyp,
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
}

/**
 * node-gyp's --nodedir: npm's nodedir setting, else the headers next to node (distribution packages, official
 * tarballs, Docker images), else headers node-gyp downloaded before; undefined when there are none, because
 * node-gyp would then download them from nodejs.org, which CI machines may not reach.
 */
function nodedirArgs() {
  if (env.npm_config_nodedir) return [];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return [`--nodedir=${prefix}`];
  const cache = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp', process.versions.node);
  return existsSync(join(cache, 'include', 'node', 'node_api.h')) ? [] : undefined;
}

function lastErrorLine(text) {
  const lines = text.split('\n').map((l) => l.trim());
  const useful = lines.filter((l) => /error|not found|No such file|ENOENT|EACCES/i.test(l) && !/^gyp info/.test(l));
  return (useful[0] ?? lines.filter((l) => l !== '').pop() ?? 'no output').slice(0, 200);
}

function main() {
  if (env.CONVENE_SKIP_NATIVE === '1') {
    say('native addon skipped (CONVENE_SKIP_NATIVE=1); the bridge will not start without it');
    return;
  }
  const gyp = findNodeGyp();
  if (gyp === undefined) {
    say('warning: native addon not built (node-gyp not found); the bridge will not start without it');
    return;
  }
  const nodedir = nodedirArgs();
  if (nodedir === undefined) {
    say(
      'warning: native addon not built (no node headers; set npm_config_nodedir); the bridge will not start without it',
    );
    return;
  }
  const args = [gyp, 'rebuild', '--loglevel=error', ...nodedir];
  const r = spawnSync(process.execPath, args, { cwd: addonDir, encoding: 'utf8', timeout: 300_000, env });
  if (r.status === 0) {
    say(`native addon built (${join('bridge', 'native', 'build', 'Release', 'convene_native.node')})`);
    return;
  }
  const why = r.error !== undefined ? r.error.message : lastErrorLine(`${r.stderr ?? ''}\n${r.stdout ?? ''}`);
  say(`warning: native addon not built (${why}); the bridge will not start without it`);
}

try {
  main();
} catch (err) {
  say(`warning: native addon not built (${String(err)}); the bridge will not start without it`);
}
process.exitCode = 0;
