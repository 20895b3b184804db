// freePort (xmpp-server/src/free-port.ts): the ports tests and the local stack bind. One the kernel hands out for
// port 0 returns to the ephemeral pool when its probe closes, and an outgoing connection can take it before its user
// binds it (a CI run failed with EADDRINUSE so); where the kernel's ephemeral range is the default, freePort stays
// below it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PORT_CLAIMS_DIR, claimPort, freePort } from '@convene/xmpp-server';

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

describe('claimPort: two processes never hand out the same port', () => {
  it('refuses the ports another live process handed out, and serves its own again', async () => {
    // A second process takes ports as a test worker does, and stays alive while this one asks for them.
    const src = new URL('../../../xmpp-server/src/free-port.ts', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${src}').then(async (m) => { const ports = []; for (let i = 0; i < 5; i++) ports.push(await m.freePort()); console.log(JSON.stringify(ports)); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      const theirs = JSON.parse(line) as number[];
      expect(theirs).toHaveLength(5);
      for (const port of theirs) {
        expect(readFileSync(join(PORT_CLAIMS_DIR, String(port)), 'utf8')).toBe(String(child.pid));
        expect(claimPort(port)).toBe(false);
      }
      const mine = await freePort();
      expect(theirs).not.toContain(mine);
      expect(claimPort(mine)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over the claim of a process that is gone once it is a minute old, not before', async () => {
    const port = await freePort();
    const file = join(PORT_CLAIMS_DIR, String(port));
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = dead.stdout.trim();
    writeFileSync(file, deadPid);
    expect(claimPort(port)).toBe(false); // fresh: its process may be in a takeover of its own
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(file, old, old);
    expect(claimPort(port)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
  });
});
