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

  it('rejects an unknown video codec and a bad mode', () => {
    expect(report({ CONVENE_FOCUS_COMPONENT_SECRET: 's', CONVENE_FOCUS_VIDEO_CODECS: 'vp8,theora' })).toContain(
      'videoCodecs.1: expected codecs from vp8, vp9, h264, av1',
    );
    expect(report({ CONVENE_FOCUS_COMPONENT_SECRET: 's', CONVENE_FOCUS_XMPP_MODE: 'proxy' })).toContain(
      'xmppMode: expected component or client',
    );
  });
});
