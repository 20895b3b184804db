// Random edits of valid Colibri2 requests: the handler answers each with a result or a typed refusal, never
// anything else, and a conference is never left half-changed by a refused request.
import fc from 'fast-check';
import { ProtocolError } from '@convene/protocol/lib';
import { StanzaFailure } from '@convene/protocol/xml';
import { mutateXml, xmlMutations } from '../../../harness/xml-fuzz.js';
import { colibriSetup } from './setup.js';

const C2 = 'xmlns="jitsi:colibri2"';
const FIXTURES = [
  `<conference-modify ${C2} meeting-id="m1" name="demo@conference.meet.localhost" create="true"><endpoint id="a" create="true" stats-id="s"><media type="audio"><payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id="111" name="opus" clockrate="48000" channels="2"/></media><transport ice-controlling="true"><sctp port="5000"/></transport><sources><media-source type="audio" id="a-a0"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="11" name="a-a0"/></media-source></sources><force-mute audio="true" video="false"/><capability name="source-names"/></endpoint></conference-modify>`,
  `<conference-modify ${C2} meeting-id="base"><endpoint id="x"><transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u1" pwd="p1p1p1p1p1p1p1p1p1p1p1"><rtcp-mux/><fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="active">AB:CD:EF</fingerprint><candidate component="1" foundation="1" generation="0" id="c" ip="192.0.2.1" network="0" port="5000" priority="1" protocol="udp" type="host"/></transport></transport><sources><media-source type="video" id="x-v0"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="21"/><ssrc-group xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" semantics="FID"><source ssrc="21"/><source ssrc="22"/></ssrc-group></media-source></sources></endpoint></conference-modify>`,
  `<conference-modify ${C2} meeting-id="base"><endpoint id="x" expire="true"/><endpoint id="y"><force-mute audio="true"/></endpoint></conference-modify>`,
];

describe('ColibriHandler under random input', () => {
  it('answers every mutated request with a result, a StanzaFailure or a ProtocolError', async () => {
    const { media, send } = await colibriSetup({ maxConferences: 50 });
    await send(
      mutateXml(
        `<conference-modify ${C2} meeting-id="base" name="b@c.d" create="true"><endpoint id="x" create="true"><transport/><capability name="source-names"/></endpoint></conference-modify>`,
        [],
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: FIXTURES.length - 1 }), xmlMutations, async (i, muts) => {
        const base = media.byMeetingId('base');
        const before = base === undefined ? [] : [...base.endpoints.keys()];
        try {
          await send(mutateXml(FIXTURES[i]!, muts));
        } catch (err) {
          if (!(err instanceof StanzaFailure) && !(err instanceof ProtocolError)) throw err;
          const after = media.byMeetingId('base');
          expect(after === undefined ? [] : [...after.endpoints.keys()]).toEqual(before);
        }
        for (const c of [...media.conferences.values()]) if (c.meetingId !== 'base') c.close();
      }),
      { numRuns: 300 },
    );
  });
});
