import {
  buildConferenceReply,
  buildConferenceRequest,
  isSessionInvalid,
  parseConferenceReply,
  parseConferenceRequest,
  sessionInvalidError,
} from '@convene/protocol/jitsi';
import { buildIq, parseIq, parseXml } from '@convene/protocol/xml';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzXmlParser } from '../../../harness/xml-fuzz.js';

const bad = (prefix: string) =>
  fixtureNames('jitsi/bad', '.xml')
    .filter((n) => n.startsWith(prefix))
    .map((n) => [n, n.split('--')[1]] as const);

function roundTrip<T>(name: string, parse: (el: never) => T, build: (v: T) => ReturnType<typeof buildIq>): T {
  const iq = parseIq(loadXml(`jitsi/${name}.xml`));
  const value = parse(iq.payload as never);
  const built = buildIq({ ...iq, payload: build(value) });
  expect(parse(parseIq(parseXml(built.toString())).payload as never)).toEqual(value);
  expect(canonicalXml(built)).toBe(canonicalXml(fixtureText(`jitsi/${name}.xml`)));
  return value;
}

describe('conference IQ', () => {
  it.each(['conference-request', 'conference-request-session'])('round-trips request %s', (name) => {
    roundTrip(name, parseConferenceRequest, buildConferenceRequest);
  });

  it.each(['conference-reply', 'conference-reply-not-ready'])('round-trips reply %s', (name) => {
    roundTrip(name, parseConferenceReply, buildConferenceReply);
  });

  it('reads the room, machine uid and properties of a request', () => {
    expect(parseConferenceRequest(parseIq(loadXml('jitsi/conference-request.xml')).payload as never)).toEqual({
      room: 'demo@conference.meet.localhost',
      machineUid: '0c6b2d8e9f1a4b3c5d7e',
      properties: { rtcstatsEnabled: 'false', 'visitors-version': '1' },
    });
  });

  it('reads ready and focusjid of a reply', () => {
    const reply = parseConferenceReply(parseIq(loadXml('jitsi/conference-reply.xml')).payload as never);
    expect(reply).toMatchObject({ ready: true, focusJid: 'focus@focus.meet.localhost' });
  });

  it('recognises and builds the session-invalid error', () => {
    const err = parseIq(loadXml('jitsi/conference-error-session-invalid.xml')).error;
    expect(err && isSessionInvalid(err)).toBe(true);
    const built = buildIq({ type: 'error', id: 'req2', from: 'focus.meet.localhost', error: sessionInvalidError() });
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText('jitsi/conference-error-session-invalid.xml')));
  });

  it.each(bad('request-'))('rejects request %s', (name, code) => {
    expect(() => parseConferenceRequest(loadXml(`jitsi/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it.each(bad('reply-'))('rejects reply %s', (name, code) => {
    expect(() => parseConferenceReply(loadXml(`jitsi/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mutated conference IQs', () => {
    const texts = [
      'conference-request',
      'conference-request-session',
      'conference-reply',
      'conference-reply-not-ready',
    ];
    const payloads = texts.map((n) => String(parseIq(loadXml(`jitsi/${n}.xml`)).payload));
    fuzzXmlParser(payloads, parseConferenceRequest);
    fuzzXmlParser(payloads, parseConferenceReply);
  });
});
