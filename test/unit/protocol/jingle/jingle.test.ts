import { buildJingleIq, jingleError, parseJingleIq } from '@convene/protocol/jingle';
import { buildIq, parseXml } from '@convene/protocol/xml';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser, fuzzXmlParser } from '../../../harness/xml-fuzz.js';

const good = fixtureNames('jingle', '.xml');
const bad = fixtureNames('jingle/bad', '.xml').map((n) => [n, n.split('--')[1]] as const);

describe('parseJingleIq', () => {
  it.each(good)('round-trips %s', (name) => {
    const parsed = parseJingleIq(loadXml(`jingle/${name}.xml`));
    const built = buildJingleIq(parsed);
    expect(parseJingleIq(parseXml(built.toString()))).toEqual(parsed);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`jingle/${name}.xml`)));
  });

  it.each(bad)('rejects %s', (name, code) => {
    expect(() => parseJingleIq(loadXml(`jingle/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('reads the bridge transport, sources and extensions of a session-initiate', () => {
    const { iq, jingle } = parseJingleIq(loadXml('jingle/session-initiate-json.xml'));
    expect(iq).toMatchObject({ type: 'set', id: 'ji1', to: 'demo@conference.meet.localhost/a1b2c3d4' });
    expect(jingle.contents.map((c) => c.name)).toEqual(['audio', 'video', 'data']);
    const audio = jingle.contents[0];
    expect(audio?.description?.payloadTypes[0]).toEqual({
      id: 111,
      name: 'opus',
      clockrate: 48000,
      channels: 2,
      parameters: [
        { name: 'minptime', value: '10' },
        { name: 'useinbandfec', value: '1' },
      ],
      rtcpFbs: [{ type: 'transport-cc' }],
    });
    expect(audio?.transport?.fingerprints).toEqual([
      { hash: 'sha-256', setup: 'actpass', value: expect.stringMatching(/^5F:2A:/) as unknown },
    ]);
    expect(audio?.transport?.candidates[1]).toMatchObject({ type: 'srflx', relAddr: '192.0.2.10', relPort: 10000 });
    expect(audio?.transport?.webSockets[0]).toMatch(/^wss:\/\/meet\.localhost\/colibri-ws\//);
    expect(jingle.contents[2]?.transport?.sctpMap).toEqual({
      number: 5000,
      protocol: 'webrtc-datachannel',
      streams: 1024,
    });
    expect(jingle.groups).toEqual([{ semantics: 'BUNDLE', contents: ['audio', 'video', 'data'] }]);
    expect(jingle.bridgeSession).toEqual({ id: 'e4a1c8f2-6b0d-4f3a-9c7e-2d5b8a1f0c63', region: 'eu-west' });
    expect(jingle.startMuted).toEqual({ audio: true, video: false });
    const remote = jingle.jsonSources?.get('b2c3d4e5' as never);
    expect(remote?.video.groups).toEqual([{ semantics: 'FID', ssrcs: [2001, 2002] }]);
    expect(remote?.video.sources[2]).toMatchObject({ ssrc: 2101, videoType: 'desktop', owner: 'b2c3d4e5' });
    expect(jingle.jsonSources?.get('jvb' as never)?.audio.sources[0]?.msid).toBe('mixedmslabel mixedlabelaudio0');
  });

  it('reads simulcast groups, initial last-n and mDNS candidates of a session-accept', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-accept.xml'));
    const video = jingle.contents.find((c) => c.name === 'video');
    expect(video?.initialLastN).toBe(25);
    expect(video?.description?.ssrcGroups.map((g) => g.semantics)).toEqual(['SIM', 'FID', 'FID', 'FID']);
    expect(video?.description?.sources).toHaveLength(6);
    expect(jingle.contents[0]?.transport?.candidates[0]?.ip).toBe('5d1e8c7a-2b3f.local');
    expect(jingle.contents[2]?.transport?.sctpMap?.streams).toBe(0);
  });

  it('reads a session-terminate reason and a restart request', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-terminate-restart.xml'));
    expect(jingle.reason).toEqual({ condition: 'connectivity-error', text: 'ICE FAILED' });
    expect(jingle.bridgeSession?.restart).toBe(true);
  });

  it('builds the unknown-session error lib-jitsi-meet sends', () => {
    const iq = buildIq({
      type: 'error',
      id: 'sx1',
      from: 'demo@conference.meet.localhost/b2c3d4e5',
      to: 'focus@focus.meet.localhost/focus',
      error: jingleError('item-not-found', { jingleCondition: 'unknown-session' }),
    });
    expect(canonicalXml(iq)).toBe(canonicalXml(fixtureText('xml/iq-error-unknown-session.xml')));
    expect(jingleError('bad-request', { text: 'no sources' })).toMatchObject({ type: 'modify', text: 'no sources' });
  });

  it('throws only ProtocolError for mutated Jingle IQs', () => {
    fuzzXmlParser(
      good.map((n) => fixtureText(`jingle/${n}.xml`)),
      parseJingleIq,
      300,
    );
  });

  it('throws only ProtocolError for mangled Jingle text', () => {
    fuzzTextParser(
      good.map((n) => fixtureText(`jingle/${n}.xml`)),
      (t) => parseJingleIq(parseXml(t)),
    );
  });
});
