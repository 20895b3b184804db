import { lstatSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './run-dir.js';

/**
 * Where freePort looks first: below Linux's default ephemeral range (32768-60999), whose ports the kernel hands to
 * outgoing connections (a browser's, Prosody's, a fetch's). A port the kernel handed out for port 0 went back to
 * that pool when its probe closed, and an outgoing connection took one before its user bound it (a CI run failed
 * with EADDRINUSE so). Each process walks from a random start, and claims each port it hands out (see claimPort):
 * two processes never hand out the same one, although a port is free again between the probe and its user's bind.
 */
const LOW = 20_000;
const HIGH = 32_000;
let cursor = LOW + Math.floor(Math.random() * (HIGH - LOW));

/** The start of the kernel's ephemeral port range, or undefined where it cannot be read (not Linux). */
function ephemeralLow(): number | undefined {
  try {
    const n = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port free on `host` now and outside the ephemeral range where it can tell; someone may still bind it first. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  if ((ephemeralLow() ?? 0) >= HIGH) {
    for (let i = 0; i < 100; i++) {
      const port = cursor;
      cursor = cursor + 1 >= HIGH ? LOW : cursor + 1;
      if ((await portIsFree(host, port)) && claimPort(port)) return port;
    }
  }
  return kernelPort(host);
}

/** A TCP port the kernel just handed out on `host`. */
function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether we can listen on `host:port` right now (the listener is closed again before this resolves). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Where the claims are: one file per port, holding the claiming process's pid. */
export const PORT_CLAIMS_DIR = join(tmpdir(), `convene-ports-${userInfo().uid}`);
/** A claim whose process is gone is taken over only when this old: a fresh one may be in another's takeover. */
const STALE_MS = 60_000;

/**
 * Claims `port` for this process: false when another live process claimed it. Two test workers starting stacks at
 * once both found one port free and handed it out; one focus then logged in to the other's Prosody. Claims are not
 * released (a test worker's module state lives per test file, its exit hooks are not ours): a claim whose process
 * is gone is taken over after a minute. Where no claim can be written, the port is handed out unclaimed, as before.
 */
export function claimPort(port: number): boolean {
  const file = join(PORT_CLAIMS_DIR, String(port));
  try {
    mkdirSync(PORT_CLAIMS_DIR, { recursive: true, mode: 0o700 });
    // Another local user's directory (or a link to one) could block ports or point our writes elsewhere.
    const dir = lstatSync(PORT_CLAIMS_DIR);
    if (!dir.isDirectory() || dir.uid !== userInfo().uid) return true;
  } catch {
    return true;
  }
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return true;
  }
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid === process.pid) return true;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return false;
    if (Date.now() - statSync(file).mtimeMs < STALE_MS) return false;
    unlinkSync(file);
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false; // another process took it over first
  }
}
