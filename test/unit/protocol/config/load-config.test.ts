import { z } from 'zod';
import {
  ConfigError,
  Port,
  Secret,
  loadConfig,
  configPathFrom,
  configSources,
  envNameFor,
  cliFlagFor,
} from '@convene/protocol/config';

const Schema = z.strictObject({
  httpPort: Port.default(8080),
  mediaPort: Port.default(10000),
  xmppPassword: Secret,
  verbose: z.boolean().default(false),
  regions: z.array(z.string()).default([]),
  logLevel: z.enum(['info', 'debug']).default('info'),
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.report.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults, then the file, then env, then flags', () => {
    const { config, origins } = loadConfig('bridge', Schema, {
      file: { text: 'httpPort: 1000\nmediaPort: 2000\nxmppPassword: fromfile\n', path: 'b.yaml' },
      env: { CONVENE_BRIDGE_MEDIA_PORT: '3000', CONVENE_BRIDGE_HTTP_PORT: '3001' },
      argv: ['--http-port', '4000', '--verbose', '--regions=eu,us'],
    });
    expect(config).toEqual({
      httpPort: 4000,
      mediaPort: 3000,
      xmppPassword: 'fromfile',
      verbose: true,
      regions: ['eu', 'us'],
      logLevel: 'info',
    });
    expect(origins).toMatchObject({ httpPort: '--http-port', mediaPort: 'env CONVENE_BRIDGE_MEDIA_PORT' });
    expect(origins.xmppPassword).toBe('b.yaml line 3');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports a bad port in one line naming the key, the value and the env var it came from', () => {
    const lines = problemsOf(() =>
      loadConfig('bridge', Schema, { env: { CONVENE_BRIDGE_HTTP_PORT: '80a', CONVENE_BRIDGE_XMPP_PASSWORD: 'x' } }),
    );
    expect(lines).toEqual([
      'convene-bridge: invalid configuration: httpPort: expected a port number 1..65535, got "80a" (env CONVENE_BRIDGE_HTTP_PORT)',
    ]);
  });

  it.each([
    ['0', '0'],
    ['65536', '65536'],
    ['1.5', '1.5'],
  ])('rejects port %s', (value, shown) => {
    const lines = problemsOf(() =>
      loadConfig('bridge', Schema, { argv: ['--media-port', value, '--xmpp-password', 'x'] }),
    );
    expect(lines).toEqual([
      `convene-bridge: invalid configuration: mediaPort: expected a port number 1..65535, got ${shown} (--media-port)`,
    ]);
  });

  it('reports a missing secret in one line saying where to set it', () => {
    const lines = problemsOf(() => loadConfig('bridge', Schema, {}));
    expect(lines).toEqual([
      'convene-bridge: invalid configuration: xmppPassword: required: set it in the config file, CONVENE_BRIDGE_XMPP_PASSWORD or --xmpp-password',
    ]);
  });

  it('rejects an empty secret', () => {
    const lines = problemsOf(() => loadConfig('bridge', Schema, { env: { CONVENE_BRIDGE_XMPP_PASSWORD: '' } }));
    expect(lines).toEqual([
      'convene-bridge: invalid configuration: xmppPassword: must not be empty, got "" (env CONVENE_BRIDGE_XMPP_PASSWORD)',
    ]);
  });

  it('reports an unknown file key with its line and a suggestion', () => {
    const lines = problemsOf(() =>
      loadConfig('bridge', Schema, { file: { text: 'xmppPassword: x\n\nmediaPrt: 5\n', path: '/etc/b.yaml' } }),
    );
    expect(lines).toEqual([
      'convene-bridge: invalid configuration: mediaPrt: unknown key, did you mean mediaPort? (/etc/b.yaml line 3)',
    ]);
  });

  it('reports unknown env variables and flags', () => {
    const lines = problemsOf(() =>
      loadConfig('bridge', Schema, {
        env: { CONVENE_BRIDGE_XMPP_PASSWORD: 'x', CONVENE_BRIDGE_HTTP_PROT: '1', CONVENE_FOCUS_HTTP_PORT: 'ignored' },
        argv: ['--medai-port', '5', '--frobnicate'],
      }),
    );
    expect(lines).toEqual([
      'convene-bridge: invalid configuration (3 problems)',
      '  CONVENE_BRIDGE_HTTP_PROT: unknown environment variable, did you mean CONVENE_BRIDGE_HTTP_PORT? (env)',
      '  --medai-port: unknown option, did you mean --media-port? (command line)',
      '  --frobnicate: unknown option (command line)',
    ]);
  });

  it('lists every problem at once', () => {
    const lines = problemsOf(() => loadConfig('bridge', Schema, { argv: ['--http-port', 'x', '--log-level', 'loud'] }));
    expect(lines[0]).toBe('convene-bridge: invalid configuration (3 problems)');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['httpPort', 'xmppPassword', 'logLevel']);
  });

  it('reports YAML syntax errors with the line', () => {
    const lines = problemsOf(() =>
      loadConfig('bridge', Schema, { file: { text: 'xmppPassword: x\nhttpPort: [1, 2\n', path: 'b.yaml' } }),
    );
    expect(lines[0]).toMatch(/^convene-bridge: invalid configuration/);
    expect(lines.join('\n')).toMatch(/b\.yaml line \d/);
  });

  it('rejects a file that is not a mapping', () => {
    const lines = problemsOf(() => loadConfig('bridge', Schema, { file: { text: '- a\n- b\n', path: 'b.yaml' } }));
    expect(lines).toContain('  (file): expected a mapping of keys to values (b.yaml)');
  });

  it('reads booleans from env and --no- flags', () => {
    const base = { CONVENE_BRIDGE_XMPP_PASSWORD: 'x' };
    expect(loadConfig('bridge', Schema, { env: { ...base, CONVENE_BRIDGE_VERBOSE: 'yes' } }).config.verbose).toBe(true);
    expect(loadConfig('bridge', Schema, { env: base, argv: ['--verbose', '--no-verbose'] }).config.verbose).toBe(false);
    const lines = problemsOf(() => loadConfig('bridge', Schema, { env: { ...base, CONVENE_BRIDGE_VERBOSE: 'maybe' } }));
    expect(lines[0]).toContain('verbose:');
  });
});

describe('configPathFrom', () => {
  it('prefers --config over the env variable', () => {
    expect(configPathFrom('focus', { CONVENE_FOCUS_CONFIG: '/e.yaml' }, ['--config', '/c.yaml'])).toEqual({
      path: '/c.yaml',
      origin: '--config',
    });
    expect(configPathFrom('focus', { CONVENE_FOCUS_CONFIG: '/e.yaml' }, [])).toEqual({
      path: '/e.yaml',
      origin: 'env CONVENE_FOCUS_CONFIG',
    });
    expect(configPathFrom('focus', {}, [])).toBeUndefined();
  });
});

describe('names', () => {
  it('derives env and flag names from the key', () => {
    expect(envNameFor('bridge', 'httpPort')).toBe('CONVENE_BRIDGE_HTTP_PORT');
    expect(cliFlagFor('xmppHttpPort')).toBe('--xmpp-http-port');
  });
});

describe('configSources', () => {
  it('reads the named file through the given reader', () => {
    const sources = configSources(
      'bridge',
      { CONVENE_BRIDGE_CONFIG: '/etc/b.yaml' },
      [],
      (path) => `xmppPassword: from ${path}\n`,
    );
    expect(loadConfig('bridge', Schema, sources).config.xmppPassword).toBe('from /etc/b.yaml');
  });

  it('turns an unreadable file into one ConfigError line', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(() =>
      configSources('bridge', {}, ['--config', '/nope.yaml'], () => {
        throw enoent;
      }),
    ).toThrow('convene-bridge: invalid configuration: config: cannot read /nope.yaml: no such file (--config)');
  });
});
