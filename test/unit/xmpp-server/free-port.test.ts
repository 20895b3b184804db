// freePort (xmpp-server/src/free-port.ts): the ports tests and the local stack bind. One the kernel hands out for
// port 0 returns to the ephemeral pool when its probe closes, and an outgoing connection can take it before its user
// binds it (a CI run failed with EADDRINUSE so); where the kernel's ephemeral range is the default, freePort stays
// below it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '@convene/xmpp-server';

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 0;
  }
}

const itDefaultRange = ephemeralLow() >= 32_000 ? it : it.skip;

describe('freePort', () => {
  itDefaultRange('gives distinct ports below the ephemeral range that can be bound', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralLow());
      const srv = createServer();
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  itDefaultRange('skips a port someone holds', async () => {
    const first = await freePort();
    const held = createServer();
    await new Promise<void>((r) => held.listen(first + 1, '127.0.0.1', r));
    try {
      // The next port in this process's walk is held: it is passed over, not handed out.
      const next = await freePort();
      expect(next).not.toBe(first + 1);
    } finally {
      await new Promise<void>((r) => held.close(() => r()));
    }
  });
});
