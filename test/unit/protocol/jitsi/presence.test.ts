import {
  buildFocusPresence,
  buildParticipantPresence,
  parseFocusPresence,
  parseParticipantPresence,
  parseSourceInfo,
  sourceMediaType,
} from '@convene/protocol/jitsi';
import { toSourceName } from '@convene/protocol/lib';
import { type Element, parse } from 'ltx';
import { parseXml } from '@convene/protocol/xml';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser, fuzzXmlParser } from '../../../harness/xml-fuzz.js';

const bad = (prefix: string) =>
  fixtureNames('jitsi/bad', '.xml')
    .filter((n) => n.startsWith(prefix))
    .map((n) => [n, n.split('--')[1]] as const);

/** The fixture's <presence> with its children replaced by `children`. */
function rewrap(name: string, children: Element[]): Element {
  const el = parse(fixtureText(`jitsi/${name}.xml`));
  el.children = [];
  for (const c of children) el.append(c);
  return el;
}

describe('participant presence', () => {
  it.each(['presence-participant', 'presence-participant-legacy'])('round-trips %s', (name) => {
    const p = parseParticipantPresence(loadXml(`jitsi/${name}.xml`));
    const built = rewrap(name, buildParticipantPresence(p));
    expect(parseParticipantPresence(parseXml(built.toString()))).toEqual(p);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`jitsi/${name}.xml`)));
  });

  it('reads what the focus needs', () => {
    const p = parseParticipantPresence(loadXml('jitsi/presence-participant.xml'));
    expect(p).toMatchObject({
      statsId: 'Lyla-Q2w',
      codecList: ['av1', 'vp9', 'vp8', 'h264'],
      region: 'eu-west',
      nick: 'Alice',
      caps: { node: 'https://jitsi.org/jitsi-meet' },
      mucUser: { role: 'participant', jid: '3c9d20aa-1b7e-4f0d-8c11-6e2f4a9b7d30@meet.localhost/Ab12' },
    });
    const desktop = toSourceName('a1b2c3d4-v1');
    expect(p.sourceInfo?.get(desktop)).toEqual({ muted: false, videoType: 'desktop' });
    expect(sourceMediaType(toSourceName('a1b2c3d4-a0'), {})).toBe('audio');
    expect(sourceMediaType(desktop, {})).toBe('video');
  });

  it('reads legacy mute flags and features', () => {
    const p = parseParticipantPresence(loadXml('jitsi/presence-participant-legacy.xml'));
    expect(p).toMatchObject({ audioMuted: false, videoMuted: true, codecType: 'vp8', diarize: true });
    expect(p.features).toEqual(['http://jitsi.org/protocol/jigasi']);
  });

  it.each(bad('presence-'))('rejects %s', (name, code) => {
    expect(() => parseParticipantPresence(loadXml(`jitsi/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mangled SourceInfo JSON', () => {
    fuzzTextParser(
      ['{"a1b2c3d4-a0":{"muted":false},"a1b2c3d4-v1":{"muted":true,"videoType":"desktop","mediaType":"video"}}'],
      parseSourceInfo,
    );
  });

  it('throws only ProtocolError for mutated presences', () => {
    fuzzXmlParser(
      ['presence-participant', 'presence-participant-legacy'].map((n) => fixtureText(`jitsi/${n}.xml`)),
      parseParticipantPresence,
    );
  });
});

describe('focus presence', () => {
  it.each(['presence-focus', 'presence-focus-no-bridge'])('round-trips %s', (name) => {
    const fp = parseFocusPresence(loadXml(`jitsi/${name}.xml`));
    const built = rewrap(name, buildFocusPresence(fp));
    expect(parseFocusPresence(parseXml(built.toString()))).toEqual(fp);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`jitsi/${name}.xml`)));
  });

  it('reads the properties lib-jitsi-meet uses', () => {
    expect(parseFocusPresence(loadXml('jitsi/presence-focus.xml'))).toEqual({
      conferenceProperties: { 'support-terminate-restart': 'true', 'bridge-count': '1' },
      bridgeNotAvailable: false,
      versions: { focus: 'convene-0.1.0' },
    });
    expect(parseFocusPresence(loadXml('jitsi/presence-focus-no-bridge.xml')).bridgeNotAvailable).toBe(true);
  });

  it.each(bad('focus-'))('rejects %s', (name, code) => {
    expect(() => parseFocusPresence(loadXml(`jitsi/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mutated focus presences', () => {
    fuzzXmlParser(
      ['presence-focus', 'presence-focus-no-bridge'].map((n) => fixtureText(`jitsi/${n}.xml`)),
      parseFocusPresence,
    );
  });
});
