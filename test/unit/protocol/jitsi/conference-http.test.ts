import {
  buildConferenceReplyJson,
  buildConferenceRequestJson,
  parseConferenceReplyJson,
  parseConferenceRequestJson,
} from '@convene/protocol/jitsi';
import { fixtureNames, fixtureText } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

const bad = (prefix: string) =>
  fixtureNames('jitsi/bad', '.json')
    .filter((n) => n.startsWith(prefix))
    .map((n) => [n, n.split('--')[1]] as const);

describe('conference request over HTTP', () => {
  it('round-trips the request body exactly', () => {
    const text = fixtureText('jitsi/conference-request.json').trim();
    const req = parseConferenceRequestJson(text);
    expect(buildConferenceRequestJson(req)).toBe(text);
    expect(parseConferenceRequestJson(buildConferenceRequestJson(req))).toEqual(req);
  });

  it('round-trips the reply body exactly', () => {
    const text = fixtureText('jitsi/conference-reply.json').trim();
    const reply = parseConferenceReplyJson(text);
    expect(reply).toMatchObject({ ready: true, focusJid: 'focus@focus.meet.localhost' });
    expect(buildConferenceReplyJson(reply)).toBe(text);
  });

  it('accepts boolean and number property values and null keys as lib-jitsi-meet sends them', () => {
    expect(parseConferenceRequestJson(fixtureText('jitsi/conference-request-typed.json'))).toEqual(
      parseConferenceRequestJson(fixtureText('jitsi/conference-request.json')),
    );
  });

  it.each(bad('request-'))('rejects request %s', (name, code) => {
    expect(() => parseConferenceRequestJson(fixtureText(`jitsi/bad/${name}.json`))).toThrow(new RegExp(`^${code}:`));
  });

  it.each(bad('reply-'))('rejects reply %s', (name, code) => {
    expect(() => parseConferenceReplyJson(fixtureText(`jitsi/bad/${name}.json`))).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mangled bodies', () => {
    const samples = ['conference-request', 'conference-request-typed', 'conference-reply'].map((n) =>
      fixtureText(`jitsi/${n}.json`),
    );
    fuzzTextParser(samples, parseConferenceRequestJson);
    fuzzTextParser(samples, parseConferenceReplyJson);
  });
});
