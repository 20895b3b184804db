// Threat (issue #12, item 8): the `convene-prosody` CLI printed the focus component secret on stdout, where
// terminal scrollback, CI logs and journald keep it; anyone holding it can connect as the focus component.
import { readFileSync, statSync } from 'node:fs';
import { AppProcess } from '../harness/app-process.js';
import { waitUntil } from '../harness/wait-for.js';

describe('focus secret printed by the xmpp-server CLI', () => {
  let cli: AppProcess | undefined;
  afterAll(async () => {
    await cli?.stop();
  });

  it('tells where the secret is, in a file only its owner reads, and never prints it', async () => {
    // eslint-disable-next-line no-restricted-properties -- test: the CLI needs PATH to find Prosody
    cli = new AppProcess('xmpp-server/src/cli.ts', { TMPDIR: process.env.TMPDIR ?? '/tmp' });
    const started = cli;
    const ready = await waitUntil(
      'the CLI to print where Prosody runs',
      () => {
        if (started.child.exitCode !== null) throw new Error(`cli exited: ${started.lines.join('\n')}`);
        const line = started.lines.find((l) => l.startsWith('{') && l.includes('"layout"'));
        return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
      },
      30_000,
    );
    expect(Object.keys(ready)).not.toContain('focusSecret');
    const file = String(ready.focusSecretFile);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(started.lines.join('\n')).not.toContain(secret);
  });
});
