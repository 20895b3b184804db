import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@convene/protocol/config';
import { loadStackConfig } from '@convene/local-stack';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convene-stack-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function report(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.report;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadStackConfig', () => {
  it('writes a first config with fresh secrets when none exists, and reuses it', () => {
    const first = loadStackConfig({}, [], dir);
    expect(first.created).toBe(join(dir, 'convene.yaml'));
    expect(first.config.focusSecret.length).toBeGreaterThanOrEqual(20);
    expect(first.config.bridgePassword).not.toBe(first.config.focusSecret);
    expect(first.config).toMatchObject({
      domain: 'meet.localhost',
      c2sPort: 5222,
      xmppHttpPort: 5280,
      bindAddress: '127.0.0.1',
    });
    const again = loadStackConfig({}, [], dir);
    expect(again.created).toBeUndefined();
    expect(again.config.focusSecret).toBe(first.config.focusSecret);
  });

  it('stops on a bad port with one line', () => {
    loadStackConfig({}, [], dir);
    expect(report(() => loadStackConfig({ CONVENE_STACK_C2S_PORT: '70000' }, [], dir))).toBe(
      'convene-stack: invalid configuration: c2sPort: expected a port number 1..65535, got 70000 (env CONVENE_STACK_C2S_PORT)',
    );
  });

  it('stops on an unknown key with one line', () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'focusSecret: a\nbridgePassword: b\nxmppHttpPrt: 1\n');
    expect(report(() => loadStackConfig({}, ['--config', file], dir))).toBe(
      `convene-stack: invalid configuration: xmppHttpPrt: unknown key, did you mean xmppHttpPort? (${file} line 3)`,
    );
  });

  it('stops on a missing secret with one line, and never invents one for a named file', () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'bridgePassword: b\n');
    expect(report(() => loadStackConfig({ CONVENE_STACK_CONFIG: file }, [], dir))).toBe(
      'convene-stack: invalid configuration: focusSecret: required: set it in the config file, CONVENE_STACK_FOCUS_SECRET or --focus-secret',
    );
    expect(readFileSync(file, 'utf8')).toBe('bridgePassword: b\n');
  });

  it('stops on a named file that does not exist', () => {
    expect(report(() => loadStackConfig({}, ['--config=/nonexistent/c.yaml'], dir))).toBe(
      'convene-stack: invalid configuration: config: cannot read /nonexistent/c.yaml: no such file (--config)',
    );
  });

  it.each([
    [{ CONVENE_STACK_DOMAIN: 'Not A Domain' }, 'domain: expected a lowercase domain name'],
    [{ CONVENE_STACK_BIND_ADDRESS: '999.1.1.1' }, 'bindAddress:'],
    [{ CONVENE_STACK_LOG_LEVEL: 'loud' }, 'logLevel: expected one of fatal, error, warn, info, debug, trace'],
    [{ CONVENE_STACK_INSTALL_PACKAGES: 'perhaps' }, 'installPackages: expected true or false'],
  ])('rejects %j', (env, message) => {
    loadStackConfig({}, [], dir);
    const text = report(() => loadStackConfig(env, [], dir));
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toContain(message);
  });
});
