import { buildJsonSources, parseJsonSources, stripSimulcast } from '@convene/protocol/sources';
import { contentsOfSources, parseJingleIq, sourcesOfContents } from '@convene/protocol/jingle';
import { endpointSourcesOf, mediaSourcesOf, parseConferenceModify } from '@convene/protocol/colibri2';
import { fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

const bad = fixtureText('sources/bad.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))] as const);

describe('JSON-encoded sources', () => {
  it('round-trips the compact encoding exactly', () => {
    // The fixture is prettier-formatted; json-message bodies are compact with the same key order.
    const text = JSON.stringify(JSON.parse(fixtureText('sources/json-sources.json')));
    const map = parseJsonSources(text);
    expect(buildJsonSources(map)).toBe(text);
    expect(parseJsonSources(buildJsonSources(map))).toEqual(map);
  });

  it('reads owners, names, msids, desktop type and groups', () => {
    const map = parseJsonSources(fixtureText('sources/json-sources.json'));
    expect([...map.keys()]).toEqual(['jvb', 'a1b2c3d4']);
    const a = map.get('a1b2c3d4' as never);
    expect(a?.video.groups).toEqual([
      { semantics: 'SIM', ssrcs: [3001, 3002, 3003] },
      { semantics: 'FID', ssrcs: [3001, 3004] },
    ]);
    expect(a?.video.sources[4]).toEqual({
      ssrc: 4001,
      name: 'a1b2c3d4-v1',
      msid: 'a1b2c3d4-video-1-1 a3f0-1',
      videoType: 'desktop',
      owner: 'a1b2c3d4',
      parameters: [],
    });
    expect(a?.audio.groups).toEqual([{ semantics: 'FID', ssrcs: [3101, 3102] }]);
  });

  it.each(bad)('rejects %s with %s', (text, code) => {
    expect(() => parseJsonSources(text)).toThrow(new RegExp(`^${code}:`));
  });

  it('reads missing trailing entries as empty, as lib-jitsi-meet does', () => {
    const map = parseJsonSources('{"sources":{"a1":[[{"s":5,"n":"a1-v0"}]],"b2":[]}}');
    expect(map.get('a1' as never)?.video.sources.map((s) => s.ssrc)).toEqual([5]);
    expect(map.get('b2' as never)).toEqual({ audio: { sources: [], groups: [] }, video: { sources: [], groups: [] } });
  });

  it('throws only ProtocolError for mangled JSON', () => {
    fuzzTextParser([fixtureText('sources/json-sources.json')], parseJsonSources, 300);
  });
});

describe('source conversions', () => {
  const accept = parseJingleIq(loadXml('jingle/session-accept.xml')).jingle;

  it('strips simulcast to the first layer and its RTX for receivers', () => {
    const stripped = stripSimulcast(sourcesOfContents(accept.contents));
    expect(stripped.video.sources.map((s) => s.ssrc)).toEqual([3001, 3004]);
    expect(stripped.video.groups).toEqual([{ semantics: 'FID', ssrcs: [3001, 3004] }]);
    expect(stripped.audio.sources.map((s) => s.ssrc)).toEqual([3101]);
  });

  it('turns session-accept sources into the Colibri2 media-sources Jicofo sends', () => {
    const update = parseConferenceModify(loadXml('colibri2/modify-update-endpoint.xml'));
    const mediaSources = mediaSourcesOf(sourcesOfContents(accept.contents));
    expect(mediaSources).toEqual(update.endpoints[0]?.sources);
    expect(endpointSourcesOf(mediaSources).video.groups).toHaveLength(4);
  });

  it('writes JSON sources as XML contents with owners', () => {
    const map = parseJsonSources(fixtureText('sources/json-sources.json'));
    const contents = contentsOfSources(map, 'initiator');
    expect(contents.map((c) => c.name)).toEqual(['audio', 'video']);
    expect(contents[0]?.description?.sources.map((s) => [s.ssrc, s.owner])).toEqual([
      [1002, 'jvb'],
      [3101, 'a1b2c3d4'],
    ]);
    expect(contents[1]?.description?.sources.map((s) => s.videoType)).toEqual([
      'camera',
      'camera',
      'camera',
      'camera',
      'camera',
      'desktop',
    ]);
  });
});
