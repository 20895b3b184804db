// Threat (issue #12, item 8): the launcher registered XMPP accounts with `prosodyctl register user host PASSWORD`,
// so the bridge's password sat in prosodyctl's argv, which `ps` and /proc/<pid>/cmdline show to every local user.
// prosodyctl is wrapped by a script that records its argv (what `ps` would show) and runs the real one.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProsody, Prosody } from '@convene/xmpp-server';
import { connectClient } from '../harness/xmpp-peer.js';

describe('account password in the process list', () => {
  let dir: string;
  let prosody: Prosody | undefined;
  afterAll(async () => {
    await prosody?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers accounts without putting the password on any command line', async () => {
    // eslint-disable-next-line no-restricted-properties -- test: find the installed Prosody
    const real = findProsody(process.env.PATH ?? '');
    if (real === undefined) throw new Error('prosody is not installed');
    dir = mkdtempSync(join(tmpdir(), 'convene-argv-'));
    const argvLog = join(dir, 'argv.log');
    const wrapper = join(dir, 'prosodyctl');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${real.prosodyctl}' "$@"\n`);
    chmodSync(wrapper, 0o755);

    const secret = 'Pw-at-start-7f3a9c';
    prosody = await Prosody.start({
      binaries: { prosody: real.prosody, prosodyctl: wrapper },
      accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: secret }],
    });
    const later = 'Pw-while-running-2b8e41';
    prosody.register({ user: 'jvb2', host: 'auth.meet.localhost', password: later });

    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('register jvb auth.meet.localhost');
    expect(argv).toContain('register jvb2 auth.meet.localhost');
    expect(argv).not.toContain(secret);
    expect(argv).not.toContain(later);
    // And the accounts work with those passwords.
    for (const [username, password] of [
      ['jvb', secret],
      ['jvb2', later],
    ] as const) {
      const peer = await connectClient({
        service: `xmpp://${prosody.bindAddress}:${prosody.ports.c2s}`,
        domain: 'auth.meet.localhost',
        username,
        password,
      });
      expect(peer.jid).toMatch(new RegExp(`^${username}@auth\\.meet\\.localhost/`));
      await peer.close();
    }
  });
});
