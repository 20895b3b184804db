import { buildIq, parseIq, parseXml } from '@convene/protocol/xml';
import { jingleErrorOf } from '@convene/protocol/jingle';
import { ProtocolError } from '@convene/protocol/lib';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser, fuzzXmlParser } from '../../../harness/xml-fuzz.js';

const good = fixtureNames('xml', '.xml');
const bad = fixtureNames('xml/bad', '.xml').map((n) => [n, n.split('--')[1]] as const);

describe('parseIq', () => {
  it.each(good)('round-trips %s', (name) => {
    const iq = parseIq(loadXml(`xml/${name}.xml`));
    const built = buildIq(iq);
    expect(parseIq(parseXml(built.toString()))).toEqual(iq);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`xml/${name}.xml`)));
  });

  it.each(bad)('rejects %s', (name, code) => {
    expect(() => parseIq(loadXml(`xml/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('reads the Jingle condition of an error', () => {
    const iq = parseIq(loadXml('xml/iq-error-unknown-session.xml'));
    expect(iq.error?.condition).toBe('item-not-found');
    expect(iq.error && jingleErrorOf(iq.error)).toBe('unknown-session');
  });

  it('reads the text of an error', () => {
    expect(parseIq(loadXml('xml/iq-error-bad-request.xml')).error).toMatchObject({
      type: 'modify',
      condition: 'bad-request',
      text: 'Source 3001 is already used by b2c3d4e5',
    });
  });

  it('wraps malformed XML in a ProtocolError', () => {
    expect(() => parseXml('<iq type="set"><unclosed></iq>')).toThrow(ProtocolError);
    expect(() => parseXml('')).toThrow(/^bad-xml:/);
  });

  it('throws only ProtocolError for mutated IQs', () => {
    fuzzXmlParser(
      good.map((n) => fixtureText(`xml/${n}.xml`)),
      parseIq,
    );
  });

  it('throws only ProtocolError for mangled XML text', () => {
    fuzzTextParser(
      good.map((n) => fixtureText(`xml/${n}.xml`)),
      (t) => parseIq(parseXml(t)),
    );
  });
});
