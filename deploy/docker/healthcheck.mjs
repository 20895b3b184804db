#!/usr/bin/env node
// The image's HEALTHCHECK: finds which program runs as the container's process 1 (focus or bridge, from its
// command line) and asks its HTTP server's /about/health on loopback. Exit 0: healthy; 1: not.
// Ports: CONVENE_FOCUS_HTTP_PORT (8888) and CONVENE_BRIDGE_HTTP_PORT (8080), as the programs read them.
// `--pid <n>` looks at another process than 1 (for running it outside a container).
/* global fetch, AbortSignal -- Node 20 globals */
import { readFileSync } from 'node:fs';
import process from 'node:process';

const at = process.argv.indexOf('--pid');
const pid = at === -1 ? '1' : process.argv[at + 1];
// eslint-disable-next-line no-restricted-properties -- a standalone script: the container's environment
const env = process.env;

function fail(why) {
  process.stdout.write(`unhealthy: ${why}\n`);
  process.exit(1);
}

let cmdline;
try {
  cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
} catch {
  fail(`no process ${pid}`);
}
const role = cmdline.includes('bridge/src/main.ts')
  ? 'bridge'
  : cmdline.includes('focus/src/main.ts')
    ? 'focus'
    : undefined;
if (role === undefined) fail(`process ${pid} is neither the focus nor the bridge`);
const port = role === 'bridge' ? (env.CONVENE_BRIDGE_HTTP_PORT ?? '8080') : (env.CONVENE_FOCUS_HTTP_PORT ?? '8888');
try {
  const res = await fetch(`http://127.0.0.1:${port}/about/health`, { signal: AbortSignal.timeout(4000) });
  if (res.status !== 200) fail(`${role} health answered ${res.status}`);
} catch (err) {
  fail(`${role} health on port ${port}: ${err.cause?.code ?? err.message}`);
}
process.stdout.write(`healthy: ${role}\n`);
