import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where freePort looks first: below Linux's default ephemeral range (32768-60999), whose ports the kernel hands to
 * outgoing connections (a browser's, Prosody's, a fetch's). A port the kernel handed out for port 0 went back to
 * that pool when its probe closed, and an outgoing connection took one before its user bound it (a CI run failed
 * with EADDRINUSE so). Each process walks from a random start, so two processes rarely meet.
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
      if (await portIsFree(host, port)) return port;
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
