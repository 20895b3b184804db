import { ConfigError } from '@convene/protocol/config';
import { loadBridgeConfig, resolveDefaults, BridgeConfigSchema } from '@convene/bridge/config';

describe('bridge config', () => {
  it('derives the brewery and bridge id from domain and host when not set', () => {
    const c = resolveDefaults(BridgeConfigSchema.parse({ xmppPassword: 'x', domain: 'example.org' }), 'box 1');
    expect(c.breweryRoom).toBe('jvbbrewery@internal.auth.example.org');
    expect(c.bridgeId).toBe('jvb-box-1');
    expect(c.httpPort).toBe(8080);
    expect(c.httpBindAddress).toBe('127.0.0.1');
    expect(c.publicHttpPort).toBe(9090);
    expect(c.publicHttpBindAddress).toBe('127.0.0.1');
    expect(c.allowedFocusJids).toEqual(['focus@auth.example.org', 'focus.example.org']);
  });

  it('takes the allowed focus JIDs as a list and refuses what is not a JID', () => {
    const { config } = loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 'x' }, [
      '--allowed-focus-jids',
      'jicofo@auth.example.org,focus.example.org',
    ]);
    expect(config.allowedFocusJids).toEqual(['jicofo@auth.example.org', 'focus.example.org']);
    expect(() => loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 'x' }, ['--allowed-focus-jids', 'a@b@c'])).toThrow(
      ConfigError,
    );
  });

  it('takes maxLoopUtilization in (0, 1] and refuses anything else with its name', () => {
    const load = (v: string) => loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 's' }, ['--max-loop-utilization', v]);
    expect(loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 's' }, []).config.maxLoopUtilization).toBe(0.8);
    expect(load('0.5').config.maxLoopUtilization).toBe(0.5);
    expect(load('1').config.maxLoopUtilization).toBe(1);
    for (const bad of ['0', '1.5', '-0.2', 'busy']) expect(() => load(bad)).toThrow(/maxLoopUtilization/);
  });

  it('refuses the public and the private server on one port', () => {
    expect(() => loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 's' }, ['--http-port', '9090'])).toThrow(
      /publicHttpPort: must differ from httpPort/,
    );
    // Both free ports: fine.
    const { config } = loadBridgeConfig({ CONVENE_BRIDGE_XMPP_PASSWORD: 's' }, [
      '--http-port',
      '0',
      '--public-http-port',
      '0',
    ]);
    expect([config.httpPort, config.publicHttpPort]).toEqual([0, 0]);
  });

  it('takes env and flags, flags last', () => {
    const { config, origins } = loadBridgeConfig(
      { CONVENE_BRIDGE_XMPP_PASSWORD: 'secret', CONVENE_BRIDGE_HTTP_PORT: '9000' },
      ['--http-port', '0', '--bridge-id', 'jvb7', '--advertised-addresses', '192.0.2.1,192.0.2.2'],
    );
    expect(config.httpPort).toBe(0);
    expect(config.bridgeId).toBe('jvb7');
    expect(config.advertisedAddresses).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(origins.httpPort).toBe('--http-port');
  });

  it('lists every problem at once: missing password, bad port, unknown flag', () => {
    try {
      loadBridgeConfig({ CONVENE_BRIDGE_HTTP_PORT: '80a' }, ['--medai-port', '1']);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const keys = (err as ConfigError).problems.map((p) => p.key).sort();
      expect(keys).toEqual(['--medai-port', 'httpPort', 'xmppPassword']);
      expect((err as ConfigError).report).toMatch(/did you mean --media-port/);
    }
  });
});
