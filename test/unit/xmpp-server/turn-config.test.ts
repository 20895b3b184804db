import { buildCoturnConfig, buildProsodyConfig, turnCredentials } from '@convene/xmpp-server';

const prosody = {
  domain: 'meet.example.org',
  bindAddress: '127.0.0.1',
  c2sPort: 15222,
  componentPort: 15347,
  httpPort: 15280,
  focusSecret: 'f',
  dataDir: '/d',
  pidFile: '/d/p.pid',
  certificates: '/d/certs',
};

describe('Prosody TURN services (XEP-0215)', () => {
  it('hands out nothing without a TURN server', () => {
    const config = buildProsodyConfig(prosody);
    expect(config).not.toContain('external_services =');
    expect(config).not.toContain('"external_services"');
  });

  it('lists STUN and TURN over UDP and TCP (and TLS when given) with credentials from the shared secret', () => {
    const config = buildProsodyConfig({
      ...prosody,
      turn: { host: 'turn.example.org', port: 3478, tlsPort: 5349, secret: 's"1', ttlSeconds: 600 },
    });
    expect(config).toContain('external_service_secret = "s\\"1"');
    const services = config.slice(config.indexOf('external_services = {'), config.indexOf('\n}\n'));
    expect(services.match(/type = "(\w+)"; host = "turn\.example\.org"; port = (\d+); transport = "(\w+)"/g)).toEqual([
      'type = "stun"; host = "turn.example.org"; port = 3478; transport = "udp"',
      'type = "turn"; host = "turn.example.org"; port = 3478; transport = "udp"',
      'type = "turn"; host = "turn.example.org"; port = 3478; transport = "tcp"',
      'type = "turns"; host = "turn.example.org"; port = 5349; transport = "tcp"',
    ]);
    expect(services.match(/secret = true; ttl = 600; algorithm = "turn"/g)).toHaveLength(3);
    // The module only on the client host, where browsers log in.
    const client = config.slice(config.indexOf('VirtualHost "meet.example.org"'), config.indexOf('VirtualHost "auth.'));
    expect(client).toContain('modules_enabled = { "smacks"; "external_services" }');
  });
});

describe('coturn config', () => {
  const base = {
    listeningIp: '127.0.0.1',
    port: 3478,
    secret: 'sec',
    realm: 'meet.localhost',
    minPort: 40000,
    maxPort: 40100,
    pidFile: '/run/x/turnserver.pid',
  };

  it('shares the secret (TURN REST) and allows loopback peers only when asked', () => {
    const local = buildCoturnConfig({ ...base, allowLoopbackPeers: true }).split('\n');
    expect(local).toEqual(
      expect.arrayContaining(['use-auth-secret', 'static-auth-secret=sec', 'allow-loopback-peers']),
    );
    expect(local).toContain('userdb=/run/x/turndb');
    expect(buildCoturnConfig({ ...base, allowLoopbackPeers: false })).not.toContain('allow-loopback-peers');
  });

  it('refuses a secret that would add a line', () => {
    expect(() =>
      buildCoturnConfig({ ...base, secret: 'a\nallow-loopback-peers', allowLoopbackPeers: false }),
    ).toThrow();
  });

  it('derives the password from the expiry and the secret (Prosody computes the same: test/e2e/turn-relay)', () => {
    const c = turnCredentials('Jefe', 1_700_000_000);
    expect(c.username).toBe('1700000000');
    expect(c.password).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(turnCredentials('other', 1_700_000_000).password).not.toBe(c.password);
    expect(turnCredentials('Jefe', 1_700_000_001).password).not.toBe(c.password);
  });
});
