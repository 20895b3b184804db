// SSRC rewriting on the focus side (PROTOCOL.md §3.5, §4.4): the feature var, Jicofo's gate (a config key, on by
// default) and an offer that carries only the bridge's feedback sources.
import { BRIDGE_OWNER, DEFAULT_FEATURES, buildInvite, buildOffer, featuresFrom } from '@convene/focus/conference';
import { FocusConfigSchema } from '@convene/focus/config';
import { loadConfig } from '@convene/protocol/config';
import { toEndpointId } from '@convene/protocol/lib';
import { emptyEndpointSources, type SourceMap } from '@convene/protocol/sources';

describe('SSRC rewriting in the focus', () => {
  it('reads the client feature and is on by default, as Jicofo’s use-ssrc-rewriting', () => {
    expect(featuresFrom(new Set(['http://jitsi.org/ssrc-rewriting-1'])).ssrcRewriting).toBe(true);
    expect(featuresFrom(new Set(['http://jitsi.org/json-encoded-sources'])).ssrcRewriting).toBe(false);
    const env = { CONVENE_FOCUS_COMPONENT_SECRET: 's' };
    expect(loadConfig('focus', FocusConfigSchema, { env }).config.ssrcRewriting).toBe(true);
    const off = loadConfig('focus', FocusConfigSchema, { env: { ...env, CONVENE_FOCUS_SSRC_REWRITING: 'false' } });
    expect(off.config.ssrcRewriting).toBe(false);
  });

  it('offers a rewriting client the bridge’s feedback sources only', () => {
    const offer = buildOffer(['vp8'], { ...DEFAULT_FEATURES, jsonSources: true });
    const other = emptyEndpointSources();
    other.audio.sources.push({ ssrc: 3101 as never, name: 'a1b2c3d4-a0' as never, parameters: [] });
    const remoteSources: SourceMap = new Map([[toEndpointId('a1b2c3d4'), other]]);
    const allocation = {
      transport: { ufrag: 'u', pwd: 'p', fingerprints: [], candidates: [], webSockets: [], rtcpMux: true },
      sctpPort: undefined,
      feedbackSources: [
        {
          type: 'audio' as const,
          id: 'jvb-a0' as never,
          sources: [{ ssrc: 1002 as never, parameters: [] }],
          groups: [],
        },
      ],
    };
    const base = { offer, allocation, remoteSources, useJsonSources: true, bridgeSessionId: 'b' };
    expect([...(buildInvite(base).jsonSources?.keys() ?? [])]).toEqual([BRIDGE_OWNER, 'a1b2c3d4']);
    expect([...(buildInvite({ ...base, ssrcRewriting: true }).jsonSources?.keys() ?? [])]).toEqual([BRIDGE_OWNER]);
  });
});
