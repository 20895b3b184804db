// Threat (issue #12, item 8): the generated Prosody config always set allow_unencrypted_plain_auth, so on a c2s
// listener bound to a real interface (no TLS: it ends in front of Prosody) the bridge and focus passwords crossed
// the network in clear, base64 only, for anyone on the path to read. PLAIN without TLS is now allowed only when
// every c2s listener is loopback.
import { client } from '@xmpp/client';
import { buildProsodyConfig, type Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../harness/prosody.js';

const BASE = {
  domain: 'meet.example.org',
  c2sPort: 5222,
  componentPort: 5347,
  httpPort: 5280,
  focusSecret: 's',
  dataDir: '/d',
  pidFile: '/p',
  certificates: '/c',
};

/** Logs in as `user`, recording the SASL mechanisms Prosody offered; resolves with them once online. */
async function mechanismsOffered(prosody: Prosody, username: string, password: string): Promise<string[]> {
  let offered: string[] = [];
  const entity = client({
    service: `xmpp://${prosody.bindAddress}:${prosody.ports.c2s}`,
    domain: prosody.layout.authDomain,
    credentials: (authenticate, mechanisms) => {
      offered = mechanisms;
      return authenticate({ username, password }, mechanisms.includes('PLAIN') ? 'PLAIN' : (mechanisms[0] ?? ''));
    },
  });
  entity.reconnect.stop();
  entity.on('error', () => undefined);
  try {
    await entity.start();
  } finally {
    await entity.stop().catch(() => undefined);
  }
  return offered;
}

describe('plain auth off loopback', () => {
  it.each(['0.0.0.0', '::', '192.0.2.10', '2001:db8::10'])(
    'does not allow PLAIN over unencrypted c2s on %s, whatever is asked',
    (bindAddress) => {
      expect(buildProsodyConfig({ ...BASE, bindAddress })).toMatch(/^allow_unencrypted_plain_auth = false$/m);
      expect(buildProsodyConfig({ ...BASE, bindAddress, allowPlainAuth: true })).toMatch(
        /^allow_unencrypted_plain_auth = false$/m,
      );
    },
  );

  it('keeps PLAIN on loopback, where nobody can sniff it (SCRAM costs a second per login)', () => {
    expect(buildProsodyConfig({ ...BASE, bindAddress: '127.0.0.1' })).toMatch(/^allow_unencrypted_plain_auth = true$/m);
    expect(buildProsodyConfig({ ...BASE, bindAddress: '::1' })).toMatch(/^allow_unencrypted_plain_auth = true$/m);
  });

  describe('real Prosody with PLAIN off, as a non-loopback bind gets it', () => {
    let prosody: Prosody;
    beforeAll(async () => {
      prosody = await startTestProsody({
        accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'bridge-pw-9' }],
        allowPlainAuth: false,
      });
    });
    afterAll(async () => {
      await prosody?.close();
    });

    it('offers no PLAIN on unencrypted c2s, and the bridge account still logs in (SCRAM)', async () => {
      const offered = await mechanismsOffered(prosody, 'jvb', 'bridge-pw-9');
      expect(offered).not.toContain('PLAIN');
      expect(offered.some((m) => m.startsWith('SCRAM-'))).toBe(true);
    });
  });
});
