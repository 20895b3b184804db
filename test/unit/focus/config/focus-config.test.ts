import { ConfigError, loadConfig } from '@convene/protocol/config';
import { FocusConfigSchema } from '@convene/focus/config';

const report = (env: Record<string, string>) => {
  try {
    loadConfig('focus', FocusConfigSchema, { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.report;
    throw err;
  }
  return 'ok';
};

describe('FocusConfigSchema', () => {
  it('needs the component secret in component mode', () => {
    expect(report({})).toBe('convene-focus: invalid configuration: componentSecret: required in component mode');
    expect(report({ CONVENE_FOCUS_COMPONENT_SECRET: 's' })).toBe('ok');
  });

  it('needs the account password in client mode', () => {
    expect(report({ CONVENE_FOCUS_XMPP_MODE: 'client' })).toBe(
      'convene-focus: invalid configuration: xmppPassword: required in client mode',
    );
    expect(report({ CONVENE_FOCUS_XMPP_MODE: 'client', CONVENE_FOCUS_XMPP_PASSWORD: 'p' })).toBe('ok');
  });

  it('takes authentication none or xmpp, and refuses an anonymous domain that is the authentication domain', () => {
    const env = { CONVENE_FOCUS_COMPONENT_SECRET: 's' };
    expect(report({ ...env, CONVENE_FOCUS_AUTHENTICATION: 'xmpp' })).toBe('ok');
    expect(report({ ...env, CONVENE_FOCUS_AUTHENTICATION: 'jwt' })).toContain('authentication: expected none or xmpp');
    // Every anonymous user would count as logged in: rooms open to all, every guest an owner.
    expect(
      report({ ...env, CONVENE_FOCUS_AUTHENTICATION: 'xmpp', CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'meet.localhost' }),
    ).toContain('anonymousDomains: must not include the authentication domain meet.localhost');
    expect(
      report({
        ...env,
        CONVENE_FOCUS_AUTHENTICATION: 'xmpp',
        CONVENE_FOCUS_AUTHENTICATION_DOMAIN: 'users.example',
        CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'meet.localhost',
      }),
    ).toBe('ok');
    // The default guest domain counts too: guest.<domain> as the authentication domain would log every guest in.
    expect(
      report({
        ...env,
        CONVENE_FOCUS_AUTHENTICATION: 'xmpp',
        CONVENE_FOCUS_AUTHENTICATION_DOMAIN: 'guest.meet.localhost',
      }),
    ).toContain('anonymousDomains: must not include the authentication domain guest.meet.localhost');
  });

  it('reads trusted proxies and anonymous domains as lists, and refuses a proxy that is not an address', () => {
    const env = { CONVENE_FOCUS_COMPONENT_SECRET: 's' };
    const c = loadConfig('focus', FocusConfigSchema, {
      env: {
        ...env,
        CONVENE_FOCUS_TRUSTED_PROXIES: '127.0.0.1, ::1',
        CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'guest.meet.example',
      },
    }).config;
    expect(c.trustedProxies).toEqual(['127.0.0.1', '::1']);
    expect(c.anonymousDomains).toEqual(['guest.meet.example']);
    expect(report({ ...env, CONVENE_FOCUS_TRUSTED_PROXIES: 'proxy.example' })).toContain(
      'trustedProxies.0: expected an IP address',
    );
  });

  it('rejects an unknown video codec and a bad mode', () => {
    expect(report({ CONVENE_FOCUS_COMPONENT_SECRET: 's', CONVENE_FOCUS_VIDEO_CODECS: 'vp8,theora' })).toContain(
      'videoCodecs.1: expected codecs from vp8, vp9, h264, av1',
    );
    expect(report({ CONVENE_FOCUS_COMPONENT_SECRET: 's', CONVENE_FOCUS_XMPP_MODE: 'proxy' })).toContain(
      'xmppMode: expected component or client',
    );
  });
});
