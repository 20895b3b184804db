import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { ensureProsody, ProsodyError, RUN_DIR_PREFIX, sweepStaleRunDirs } from '@convene/xmpp-server';
import { startTestProsody } from '../../harness/prosody.js';
import { prosodyProcesses } from '../../harness/suite-hooks.js';
import { waitUntil } from '../../harness/wait-for.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Temporary run directories this test process made (other test files run beside us in other processes). */
function ownRunDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith(RUN_DIR_PREFIX))
    .map((n) => join(tmpdir(), n))
    .filter((d) => {
      try {
        return readFileSync(join(d, 'owner.pid'), 'utf8').trim() === String(process.pid);
      } catch {
        return false;
      }
    });
}

describe('prosody launcher', () => {
  it('starts on free loopback ports and leaves no process and no directory after close', async () => {
    const prosody = await startTestProsody();
    const pid = prosody.pid as number;
    expect(alive(pid)).toBe(true);
    expect(existsSync(`${prosody.dir}/prosody.cfg.lua`)).toBe(true);
    expect(prosodyProcesses().some((p) => p.startsWith(`${pid}:`))).toBe(true);
    await prosody.close();
    await prosody.close(); // a second close is harmless
    expect(alive(pid)).toBe(false);
    expect(existsSync(prosody.dir)).toBe(false);
  });

  it('runs several instances side by side without clashes', async () => {
    const [a, b] = await Promise.all([startTestProsody(), startTestProsody()]);
    try {
      const ports = [a, b].flatMap((p) => [p.ports.c2s, p.ports.component, p.ports.http]);
      expect(new Set(ports).size).toBe(6);
      expect(a.dir).not.toBe(b.dir);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('takes Prosody down with a caller that crashes, and sweeps its directory afterwards', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/harness/prosody-owner.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    owner.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const info = await waitUntil(
      'the owner to report its prosody',
      () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { pid: number; dir: string }) : undefined),
      15_000,
    );
    expect(alive(info.pid)).toBe(true);
    owner.kill('SIGKILL');
    await waitUntil('prosody to die with its owner', () => !alive(info.pid), 5_000);
    // Any Prosody start sweeps too (another test file may have started one meanwhile): either way it is gone.
    sweepStaleRunDirs();
    expect(existsSync(info.dir)).toBe(false);
  });

  it('fails clearly, and leaves nothing, when a fixed port is taken', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as { port: number }).port;
    const before = ownRunDirs();
    try {
      const start = startTestProsody({ c2sPort: port, componentPort: port + 1, httpPort: port + 2 });
      await expect(start).rejects.toThrow(ProsodyError);
      await expect(start).rejects.toMatchObject({ code: 'prosody-port-in-use' });
    } finally {
      squatter.close();
    }
    expect(ownRunDirs()).toEqual(before);
    // A live Prosody always has its run directory; one whose directory is gone would be an orphan.
    const orphans = prosodyProcesses().filter((p) => {
      const config = /--config (\S+)/.exec(p)?.[1];
      return config !== undefined && !existsSync(config);
    });
    expect(orphans).toEqual([]);
  });

  it('names the install command when prosody is not installed', () => {
    expect(() => ensureProsody({ install: false, pathVar: '/nonexistent' })).toThrow(
      /prosody is not installed; install it with: .*apt-get install -y prosody/,
    );
  });
});
