// deploy/jitsi: what an operator copies onto a jitsi-meet install. The example configs must load with the real config
// loaders (with the secrets their env files carry), and the systemd units must pass systemd's own validator.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSources, loadConfig } from '@convene/protocol/config';
import { FocusConfigSchema } from '@convene/focus/config';
import { loadBridgeConfig } from '@convene/bridge/config';

const DIR = join(import.meta.dirname, '..', '..', '..', 'deploy', 'jitsi');
const read = (path: string) => readFileSync(path, 'utf8');

/** The KEY=value lines of an env file, as systemd's EnvironmentFile reads them. */
function envFile(name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read(join(DIR, name)).split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m !== null) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('deploy/jitsi', () => {
  it('focus.yaml with focus.env is a valid client-mode focus config for the Jitsi layout', () => {
    const argv = ['--config', join(DIR, 'focus.yaml')];
    const env = envFile('focus.env.example');
    const { config } = loadConfig('focus', FocusConfigSchema, configSources('focus', env, argv, read));
    expect(config).toMatchObject({
      xmppMode: 'client',
      xmppUser: 'focus',
      xmppPassword: 'change-me',
      httpPort: 8888,
      breweryRoom: `jvbbrewery@internal.auth.${config.domain}`,
    });
  });

  it('bridge.yaml with bridge.env is a valid bridge config taking JVB’s colibri-ws port', () => {
    const { config } = loadBridgeConfig(envFile('bridge.env.example'), ['--config', join(DIR, 'bridge.yaml')]);
    expect(config).toMatchObject({
      xmppUser: 'jvb',
      xmppPassword: 'change-me',
      // colibri-ws on JVB's public port, which nginx proxies; REST on JVB's private port, loopback only.
      publicHttpPort: 9090,
      httpPort: 8080,
      httpBindAddress: '127.0.0.1',
      serverId: 'default-id',
      mediaPort: 10000,
      breweryRoom: `jvbbrewery@internal.auth.${config.domain}`,
    });
    expect(config.websocketBaseUrl).toBe(`wss://${config.domain}`);
  });

  it.each(['convene-focus.service', 'convene-bridge.service'])('%s passes systemd-analyze verify', (unit) => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(DIR, 'systemd', unit)], { encoding: 'utf8' });
    if (r.error !== undefined) throw new Error(`systemd-analyze not runnable (apt-get install -y systemd): ${r.error}`);
    // Unknown keys and unsafe settings are only warnings to systemd: any output counts as a failure here.
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: '' });
    const text = read(join(DIR, 'systemd', unit));
    const app = unit === 'convene-focus.service' ? 'focus' : 'bridge';
    expect(text).toContain(`ExecStart=/usr/bin/node --import tsx ${app}/src/main.ts --config /etc/convene/${app}.yaml`);
    expect(text).toContain(`EnvironmentFile=/etc/convene/${app}.env`);
  });
});
