import { ProtocolError } from '@convene/protocol/lib';
import { buildServicesQuery, iceServersOf, parseExternalServices } from '@convene/protocol/jitsi';
import { NS_EXTDISCO, parseXml } from '@convene/protocol/xml';
import { fuzzXmlParser } from '../../../harness/xml-fuzz.js';

// What Prosody 0.12's mod_external_services answers with the stack's coturn (xmpp-server/src/prosody-config.ts).
const PROSODY_ANSWER = `<services xmlns='urn:xmpp:extdisco:2'>
  <service type='stun' host='turn.example.org' port='3478' transport='udp'/>
  <service type='turn' host='turn.example.org' port='3478' transport='udp' username='1796601600' password='aGVsbG8=' expires='2026-12-08T00:00:00Z' restricted='1'/>
  <service type='turn' host='turn.example.org' port='3478' transport='tcp' username='1796601600' password='aGVsbG8=' expires='2026-12-08T00:00:00Z' restricted='1'/>
  <service type='turns' host='turn.example.org' port='443' transport='tcp' username='1796601600' password='aGVsbG8=' expires='2026-12-07T12:00:00Z' restricted='1'/>
</services>`;

describe('external services (XEP-0215)', () => {
  it('asks for every service', () => {
    const q = buildServicesQuery();
    expect({ name: q.name, xmlns: String(q.attrs.xmlns), children: q.children.length }).toEqual({
      name: 'services',
      xmlns: NS_EXTDISCO,
      children: 0,
    });
  });

  it("turns Prosody's answer into RTCIceServers with the TURN credentials and their expiry", () => {
    const services = parseExternalServices(parseXml(PROSODY_ANSWER));
    expect(services.map((s) => s.expiresAt)).toEqual([
      undefined,
      Date.UTC(2026, 11, 8),
      Date.UTC(2026, 11, 8),
      Date.UTC(2026, 11, 7, 12),
    ]);
    const creds = { username: '1796601600', credential: 'aGVsbG8=' };
    expect(iceServersOf(services)).toEqual([
      { urls: 'stun:turn.example.org:3478' },
      { urls: 'turn:turn.example.org:3478?transport=udp', ...creds },
      { urls: 'turn:turn.example.org:3478?transport=tcp', ...creds },
      { urls: 'turns:turn.example.org:443?transport=tcp', ...creds },
    ]);
  });

  it('brackets an IPv6 host and leaves out the port and transport the server leaves out', () => {
    const services = parseExternalServices(
      parseXml(`<services xmlns='urn:xmpp:extdisco:2'>
        <service type='turn' host='2001:db8::1' username='u' password='p'/>
        <service type='stun' host='192.0.2.7'/></services>`),
    );
    expect(iceServersOf(services)).toEqual([
      { urls: 'turn:[2001:db8::1]', username: 'u', credential: 'p' },
      { urls: 'stun:192.0.2.7' },
    ]);
  });

  it('leaves out each service it cannot use and keeps the others', () => {
    const bad = [
      "type='ftp' host='files.example.org' port='21'", // not STUN or TURN
      "type='turn' host='evil.example.org?transport=tcp' port='3478' username='u' password='p'", // would rewrite the URL
      "type='turn' host='a b' port='3478' username='u' password='p'",
      "type='turn' host='' port='3478' username='u' password='p'",
      "type='turn' host='t.example.org' port='0' username='u' password='p'",
      "type='turn' host='t.example.org' port='70000' username='u' password='p'",
      "type='turn' host='t.example.org' port='34x' username='u' password='p'",
      "type='turn' host='t.example.org' port='3478' transport='sctp' username='u' password='p'",
      "host='t.example.org' port='3478'", // no type
    ];
    const xml = `<services xmlns='urn:xmpp:extdisco:2'>${bad.map((a) => `<service ${a}/>`).join('')}
      <service type='turn' host='good.example.org' port='3478' transport='udp' username='u' password='p'/>
      <service type='turn' host='nocreds.example.org' port='3478' transport='udp'/></services>`;
    const services = parseExternalServices(parseXml(xml));
    expect(services.map((s) => s.host)).toEqual(['good.example.org', 'nocreds.example.org']);
    // A browser throws for a turn: URL without credentials, which would cost the whole configuration.
    expect(iceServersOf(services)).toEqual([
      { urls: 'turn:good.example.org:3478?transport=udp', username: 'u', credential: 'p' },
    ]);
  });

  it('refuses another element as the answer', () => {
    expect(() => parseExternalServices(parseXml("<services xmlns='urn:xmpp:extdisco:1'/>"))).toThrow(ProtocolError);
    expect(() => parseExternalServices(parseXml("<query xmlns='urn:xmpp:extdisco:2'/>"))).toThrow(ProtocolError);
  });

  it('survives mutated answers: a ProtocolError or a list, nothing else', () => {
    fuzzXmlParser([PROSODY_ANSWER], (el) => iceServersOf(parseExternalServices(el)));
  });
});
