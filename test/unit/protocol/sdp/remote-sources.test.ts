// convene-reoffer*.sdp are golden outputs that Chromium accepted in setRemoteDescription when
// test/fixtures/protocol/sdp/capture.ts last ran (npx tsx test/fixtures/protocol/sdp/capture.ts).
import { parse as parseSdp } from 'sdp-transform';
import { parseJingleIq } from '@convene/protocol/jingle';
import { addRemoteSources, removeRemoteSources } from '@convene/protocol/sdp';
import { fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

const added = [...(parseJingleIq(loadXml('jingle/source-add-json.xml')).jingle.jsonSources?.values() ?? [])];

function reoffer(): string {
  let sdp = fixtureText('sdp/convene-offer.sdp');
  for (const set of added) sdp = addRemoteSources(addRemoteSources(sdp, 'audio', set.audio), 'video', set.video);
  return sdp;
}

describe('remote source updates', () => {
  it('adds one sendonly m-line per source and extends BUNDLE', () => {
    const sdp = reoffer();
    expect(sdp).toBe(fixtureText('sdp/convene-reoffer.sdp'));
    const sd = parseSdp(sdp);
    const last = sd.media.slice(-2);
    expect(last.map((m) => [m.type, String(m.mid), m.direction])).toEqual([
      ['audio', '6', 'sendonly'],
      ['video', '7', 'sendonly'],
    ]);
    expect(last[1]?.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '3001 3004' }]);
    expect(sd.groups?.[0]?.mids).toBe('0 1 2 3 4 5 6 7');
  });

  it('rejects the m-lines of removed sources', () => {
    let sdp = reoffer();
    for (const set of added) sdp = removeRemoteSources(removeRemoteSources(sdp, set.audio), set.video);
    expect(sdp).toBe(fixtureText('sdp/convene-reoffer-removed.sdp'));
    const last = parseSdp(sdp).media.slice(-2);
    expect(last.map((m) => [m.port, m.direction, m.ssrcs])).toEqual([
      [0, 'inactive', undefined],
      [0, 'inactive', undefined],
    ]);
  });

  it('throws ProtocolError without an m-line of the type', () => {
    const audioOnly = 'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
    expect(() => addRemoteSources(audioOnly, 'video', { sources: [], groups: [] })).toThrow(/^missing-element:/);
    expect(() => removeRemoteSources('nope', { sources: [], groups: [] })).toThrow(/^bad-sdp:/);
  });

  it('throws only ProtocolError for mangled remote descriptions', () => {
    const samples = ['convene-offer.sdp', 'convene-reoffer.sdp'].map((n) => fixtureText(`sdp/${n}`));
    const set = added[0];
    if (set === undefined) throw new Error('fixture has no sources');
    fuzzTextParser(samples, (t) => removeRemoteSources(addRemoteSources(t, 'video', set.video), set.video));
  });
});
