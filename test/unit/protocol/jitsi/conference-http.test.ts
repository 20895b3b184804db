import {
  buildConferenceReplyJson,
  buildConferenceRequestJson,
  parseConferenceReplyJson,
  parseConferenceRequestJson,
} from '@convene/protocol/jitsi';
import { fixtureText } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

// Lines of `<request|reply> <code> <body>`: malformed bodies cannot live in .json files prettier checks.
const badLines = fixtureText('jitsi/bad-http.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => l.split(/ (.*)/s))
  .map(([kind, rest]) => [kind, rest?.slice(0, rest.indexOf(' ')), rest?.slice(rest.indexOf(' ') + 1)] as const);
const bad = (kind: string) => badLines.filter((l) => l[0] === kind).map(([, code, body]) => [body, code] as const);
/** Fixtures are prettier-formatted; the wire form is compact with the same key order. */
const compact = (text: string) => JSON.stringify(JSON.parse(text));

describe('conference request over HTTP', () => {
  it('round-trips the request body exactly', () => {
    const text = compact(fixtureText('jitsi/conference-request.json'));
    const req = parseConferenceRequestJson(text);
    expect(buildConferenceRequestJson(req)).toBe(text);
    expect(parseConferenceRequestJson(buildConferenceRequestJson(req))).toEqual(req);
  });

  it('round-trips the reply body exactly', () => {
    const text = compact(fixtureText('jitsi/conference-reply.json'));
    const reply = parseConferenceReplyJson(text);
    expect(reply).toMatchObject({ ready: true, focusJid: 'focus@focus.meet.localhost' });
    expect(buildConferenceReplyJson(reply)).toBe(text);
  });

  it('accepts boolean and number property values and null keys as lib-jitsi-meet sends them', () => {
    expect(parseConferenceRequestJson(fixtureText('jitsi/conference-request-typed.json'))).toEqual(
      parseConferenceRequestJson(fixtureText('jitsi/conference-request.json')),
    );
  });

  it.each(bad('request'))('rejects request %s with %s', (body, code) => {
    expect(() => parseConferenceRequestJson(body ?? '')).toThrow(new RegExp(`^${code}:`));
  });

  it.each(bad('reply'))('rejects reply %s with %s', (body, code) => {
    expect(() => parseConferenceReplyJson(body ?? '')).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mangled bodies', () => {
    const samples = ['conference-request', 'conference-request-typed', 'conference-reply'].map((n) =>
      fixtureText(`jitsi/${n}.json`),
    );
    fuzzTextParser(samples, parseConferenceRequestJson);
    fuzzTextParser(samples, parseConferenceReplyJson);
  });
});
