// SDP fixtures are real Chromium output. Regenerate them (needs /usr/bin/chromium) with:
//   npx tsx test/fixtures/protocol/sdp/capture.ts
// then re-run this test: the round-trip checks hold for any capture; convene-offer.sdp is the golden
// output of jingleToSdp for jingle/session-initiate-json.xml that Chromium accepted in setRemoteDescription.
import { parse as parseSdp } from 'sdp-transform';
import { buildJingleIq, parseJingleIq } from '@convene/protocol/jingle';
import { jingleToSdp, sdpToJingle } from '@convene/protocol/sdp';
import { parseXml } from '@convene/protocol/xml';
import { fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

/** Everything that must survive SDP -> Jingle -> SDP, independent of how sources are laid out in m-lines. */
function essentials(sdp: string): Record<string, string[]> {
  const sd = parseSdp(sdp);
  const out: Record<string, Set<string>> = {
    codecs: new Set(),
    extensions: new Set(),
    ssrcs: new Set(),
    groups: new Set(),
    fingerprints: new Set(),
    candidates: new Set(),
    sctp: new Set(),
  };
  for (const m of sd.media) {
    const t = m.type;
    for (const r of m.rtp) {
      const fmtp = m.fmtp.filter((f) => f.payload === r.payload).map((f) => f.config);
      const fb = (m.rtcpFb ?? [])
        .filter((f) => String(f.payload) === String(r.payload))
        .map((f) => `${f.type} ${f.subtype ?? ''}`);
      out.codecs?.add(
        `${t} ${r.payload} ${r.codec}/${r.rate}/${r.encoding ?? ''} [${fmtp.join('|')}] [${fb.join('|')}]`,
      );
    }
    for (const e of m.ext ?? []) out.extensions?.add(`${t} ${e.value} ${e.uri}`);
    for (const s of m.ssrcs ?? []) out.ssrcs?.add(`${t} ${s.id} ${s.attribute}:${s.value ?? ''}`);
    for (const g of m.ssrcGroups ?? []) out.groups?.add(`${t} ${g.semantics} ${g.ssrcs}`);
    const fp = m.fingerprint ?? sd.fingerprint;
    if (fp) out.fingerprints?.add(`${fp.type} ${fp.hash} ${m.setup ?? sd.setup ?? ''}`);
    for (const c of m.candidates ?? [])
      out.candidates?.add(
        `${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.ip} ${c.port} ${c.type} ${c.raddr ?? ''} ${c.rport ?? ''} ${c.tcptype ?? ''}`,
      );
    if (m.sctpPort !== undefined) out.sctp?.add(String(m.sctpPort));
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** SDP -> Jingle contents -> session-accept XML -> parsed again -> SDP. */
function throughJingle(sdp: string, creator: 'initiator' | 'responder'): string {
  const { contents, groups } = sdpToJingle(sdp, { creator });
  const xml = buildJingleIq({
    iq: { type: 'set', id: 'x' },
    jingle: { action: creator === 'responder' ? 'session-accept' : 'session-initiate', sid: 's', contents, groups },
  }).toString();
  return jingleToSdp(parseJingleIq(parseXml(xml)).jingle);
}

describe('SDP <-> Jingle', () => {
  it.each([
    ['chrome-answer.sdp', 'responder'],
    ['chrome-offer.sdp', 'initiator'],
  ] as const)('keeps every codec, extension, SSRC, group, fingerprint and candidate of %s', (name, creator) => {
    const sdp = fixtureText(`sdp/${name}`);
    const before = essentials(sdp);
    expect(before.candidates?.length).toBeGreaterThan(0);
    expect(before.groups).toEqual(expect.arrayContaining([expect.stringMatching(/^video SIM \d+ \d+ \d+$/)]));
    expect(essentials(throughJingle(sdp, creator))).toEqual(before);
  });

  it('maps a Chromium answer to lib-jitsi-meet style session-accept contents', () => {
    const { contents, groups } = sdpToJingle(fixtureText('sdp/chrome-answer.sdp'), { creator: 'responder' });
    expect(contents.map((c) => [c.name, c.senders])).toEqual([
      ['audio', 'both'],
      ['video', 'both'],
      ['data', undefined],
    ]);
    expect(groups).toEqual([{ semantics: 'BUNDLE', contents: ['audio', 'video', 'data'] }]);
    const video = contents[1]?.description;
    expect(video?.sources).toHaveLength(6);
    expect(video?.ssrcGroups.map((g) => g.semantics).sort()).toEqual(['FID', 'FID', 'FID', 'SIM']);
    expect(contents[0]?.transport?.fingerprints[0]?.setup).toBe('active');
    expect(contents[2]?.transport?.sctpMap).toEqual({ number: 5000, protocol: 'webrtc-datachannel', streams: 0 });
  });

  it('maps fingerprint cryptex to a=cryptex and back', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-initiate-json.xml'));
    for (const c of jingle.contents) for (const fp of c.transport?.fingerprints ?? []) fp.cryptex = true;
    const sdp = jingleToSdp(jingle);
    expect(sdp).toContain('\r\na=cryptex\r\n');
    const back = sdpToJingle(sdp, { creator: 'initiator' });
    expect(back.contents[0]?.transport?.fingerprints[0]).toMatchObject({ setup: 'actpass', cryptex: true });
  });

  it('names contents by mid when asked (P2P style)', () => {
    const { contents, groups } = sdpToJingle(fixtureText('sdp/chrome-answer.sdp'), {
      creator: 'responder',
      contentNames: 'mid',
    });
    expect(contents.map((c) => c.name)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(contents.map((c) => c.senders)).toEqual(['both', 'responder', 'both', 'responder', 'responder', undefined]);
    expect(groups[0]?.contents).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('writes the offer Chromium accepted for the session-initiate fixture', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-initiate-json.xml'));
    expect(jingleToSdp(jingle)).toBe(fixtureText('sdp/convene-offer.sdp'));
  });

  it('lays out a Jicofo offer one m-line per remote source, bridge sources first', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-initiate-json.xml'));
    const sd = parseSdp(jingleToSdp(jingle));
    expect(sd.media.map((m) => [m.type, String(m.mid), m.direction, (m.ssrcs ?? []).map((s) => s.id)])).toEqual([
      ['audio', '0', 'sendrecv', [1002]],
      ['audio', '1', 'sendonly', [2003]],
      ['video', '2', 'sendrecv', [1001]],
      ['video', '3', 'sendonly', [2001, 2002]],
      ['video', '4', 'sendonly', [2101]],
      ['application', '5', 'sendrecv', []],
    ]);
    expect(sd.groups).toEqual([{ type: 'BUNDLE', mids: '0 1 2 3 4 5' }]);
    expect(sd.media[3]?.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '2001 2002' }]);
    expect(sd.msidSemantic).toEqual({ semantic: 'WMS', token: '*' });
  });

  it('keeps payload types, header extensions and sources of a Jingle offer through SDP', () => {
    const { jingle } = parseJingleIq(loadXml('jingle/session-initiate-xml-sources.xml'));
    const back = sdpToJingle(jingleToSdp(jingle, { layout: 'per-content' }), { creator: 'initiator' });
    for (const [i, content] of jingle.contents.entries()) {
      const d = back.contents[i]?.description;
      expect(d?.payloadTypes).toEqual(content.description?.payloadTypes);
      expect(d?.headerExtensions).toEqual(content.description?.headerExtensions);
      expect(d?.ssrcGroups).toEqual(content.description?.ssrcGroups);
      expect(d?.sources.map((s) => [s.ssrc, s.msid])).toEqual(
        content.description?.sources.map((s) => [s.ssrc, s.msid]),
      );
      expect(back.contents[i]?.transport?.candidates.map((c) => [c.ip, c.port, c.type, c.tcptype])).toEqual(
        content.transport?.candidates.map((c) => [c.ip, c.port, c.type, c.tcptype]),
      );
    }
  });

  it.each([
    ['not SDP at all', 'bad-sdp'],
    ['v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', 'missing-element'],
    ['v=0\r\nm=text 9 RTP/AVP 0\r\n', 'unknown-value'],
    ['v=0\r\nm=audio 9 RTP/AVP 0\r\na=candidate:1 1 sctp 1 1.2.3.4 5 typ host\r\n', 'unknown-value'],
    ['v=0\r\nm=audio 9 RTP/AVP 0\r\na=fingerprint:sha-256 AB\r\na=setup:sideways\r\n', 'unknown-value'],
    ['v=0\r\nm=audio 9 RTP/AVP 0\r\na=ssrc:0 cname:x\r\n', 'out-of-range'],
    ['v=0\r\nm=video 9 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=ssrc:1 videoType:hologram\r\n', 'unknown-value'],
  ])('rejects %j with %s', (sdp, code) => {
    expect(() => sdpToJingle(sdp, { creator: 'responder' })).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mangled SDP', () => {
    const samples = ['chrome-answer.sdp', 'chrome-offer.sdp', 'convene-offer.sdp'].map((n) => fixtureText(`sdp/${n}`));
    fuzzTextParser(samples, (t) => sdpToJingle(t, { creator: 'responder' }), 300);
  });
});
