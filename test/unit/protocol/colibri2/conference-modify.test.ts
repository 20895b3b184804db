import {
  buildConferenceModified,
  buildConferenceModify,
  colibri2Error,
  colibri2ErrorOf,
  parseConferenceModified,
  parseConferenceModify,
} from '@convene/protocol/colibri2';
import type { Element } from 'ltx';
import { buildIq, parseIq, parseXml } from '@convene/protocol/xml';
import { toEndpointId } from '@convene/protocol/lib';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzXmlParser } from '../../../harness/xml-fuzz.js';

const codecs: Record<string, [(el: Element) => unknown, (v: never) => Element]> = {
  modify: [parseConferenceModify, buildConferenceModify],
  modified: [parseConferenceModified, buildConferenceModified],
};
const good = fixtureNames('colibri2', '.xml').filter((n) => !n.startsWith('error-'));
const bad = fixtureNames('colibri2/bad', '.xml').map((n) => [n, n.split('--')[1]] as const);
const codecOf = (name: string) =>
  codecs[name.startsWith('modified') ? 'modified' : 'modify'] as [(el: Element) => unknown, (v: never) => Element];

describe('conference-modify / conference-modified', () => {
  it.each(good)('round-trips %s', (name) => {
    const [parse, build] = codecOf(name);
    const value = parse(loadXml(`colibri2/${name}.xml`));
    const built = build(value as never);
    expect(parse(parseXml(built.toString()))).toEqual(value);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`colibri2/${name}.xml`)));
  });

  it.each(bad)('rejects %s', (name, code) => {
    const [parse] = codecOf(name);
    expect(() => parse(loadXml(`colibri2/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('reads an endpoint allocation', () => {
    const cm = parseConferenceModify(loadXml('colibri2/modify-create-endpoint.xml'));
    expect(cm).toMatchObject({ create: true, name: 'demo@conference.meet.localhost', rtcstatsEnabled: false });
    const ep = cm.endpoints[0];
    expect(ep).toMatchObject({ id: 'a1b2c3d4', create: true, statsId: 'Lyla-Q2w', sources: [] });
    expect(ep?.transport).toEqual({ iceControlling: true, sctp: {} });
    expect(ep?.capabilities).toEqual(['source-names', 'ssrc-rewriting']);
    expect(ep?.media.map((m) => [m.type, m.payloadTypes.map((p) => p.id)])).toEqual([
      ['audio', [111, 126]],
      ['video', [100, 96]],
    ]);
    expect(ep?.forceMute).toEqual({ audio: true });
  });

  it('reads the bridge transport and feedback sources', () => {
    const cm = parseConferenceModified(loadXml('colibri2/modified-create.xml'));
    expect(cm.endpoints[0]?.transport?.sctp).toEqual({ port: 5000, role: 'server' });
    expect(cm.endpoints[0]?.transport?.ice?.fingerprints[0]?.setup).toBe('actpass');
    expect(cm.sources?.map((s) => [s.id, s.sources[0]?.ssrc])).toEqual([
      ['jvb-a0', 1002],
      ['jvb-v0', 1001],
    ]);
  });

  it('reads bridge error reasons', () => {
    const nf = parseIq(loadXml('colibri2/error-conference-not-found.xml')).error;
    expect(nf && colibri2ErrorOf(nf)).toEqual({ reason: 'conference_not_found' });
    const ue = parseIq(loadXml('colibri2/error-unknown-endpoint.xml')).error;
    expect(ue?.condition).toBe('item-not-found');
    expect(ue && colibri2ErrorOf(ue)).toEqual({ reason: 'unknown_endpoint', endpointId: 'a1b2c3d4' });
  });

  it('builds bridge errors as JVB words them', () => {
    const err = colibri2Error('item-not-found', 'Endpoint not found for ID: a1b2c3d4', {
      reason: 'unknown_endpoint',
      endpointId: toEndpointId('a1b2c3d4'),
    });
    const iq = buildIq({
      type: 'error',
      id: 'cm8',
      from: 'jvbbrewery@internal.auth.meet.localhost/jvb1',
      to: 'focus@focus.meet.localhost/focus',
      error: err,
    });
    expect(canonicalXml(iq)).toBe(canonicalXml(fixtureText('colibri2/error-unknown-endpoint.xml')));
    expect(colibri2Error('bad-request', 'x').type).toBe('modify');
  });

  it('throws only ProtocolError for mutated conference-modify', () => {
    fuzzXmlParser(
      good.filter((n) => !n.startsWith('modified')).map((n) => fixtureText(`colibri2/${n}.xml`)),
      parseConferenceModify,
    );
  });

  it('throws only ProtocolError for mutated conference-modified', () => {
    fuzzXmlParser(
      good.filter((n) => n.startsWith('modified')).map((n) => fixtureText(`colibri2/${n}.xml`)),
      parseConferenceModified,
    );
  });

  it('throws only ProtocolError for mutated bridge errors', () => {
    fuzzXmlParser(
      ['error-conference-not-found', 'error-unknown-endpoint'].map((n) => fixtureText(`colibri2/${n}.xml`)),
      (el) => {
        const e = parseIq(el).error;
        return e && colibri2ErrorOf(e);
      },
    );
  });
});
