// Threat: an anonymous user joins with the caps `ver` of a real client build but answers disco#info without audio and
// video. Were that answer cached by the claimed `node#ver`, every later user of that build would get offers without
// audio and video until the focus restarts. The focus caches an answer only when it hashes to the `ver`
// (XEP-0115 §5.4), so the next honest joiner is asked again and gets a full offer.
import { ColibriPeer } from '../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../harness/focus-stack.js';
import { waitForBridges } from '../harness/focus-stats.js';
import { JITSI_FEATURES, JitsiParticipant, capsFor } from '../harness/jitsi-participant.js';

describe('focus caps cache poisoning', () => {
  let stack: FocusStack;
  let bridge: ColibriPeer;
  const joined: JitsiParticipant[] = [];

  beforeAll(async () => {
    // One member is enough for media, so each participant is offered a session as soon as it joins.
    stack = await startFocusStack('component', { CONVENE_FOCUS_MIN_PARTICIPANTS: '1' });
    bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
    await waitForBridges(stack.focusHttp, 1);
  });
  afterAll(async () => {
    await Promise.all(joined.map((p) => p.close()));
    await bridge?.close();
    await stack?.close();
  });

  it('leaves the next honest joiner’s offer intact when a forged disco answer claims a real client’s caps', async () => {
    const realBuild = capsFor(JITSI_FEATURES);
    // The attacker claims that build but says it does neither audio nor video.
    const mallory = await JitsiParticipant.connect(stack.prosody, 'mallory1', [
      'http://jitsi.org/json-encoded-sources',
    ]);
    joined.push(mallory);
    await mallory.requestConference('poison@conference.meet.localhost');
    await mallory.join('poison@conference.meet.localhost', realBuild);
    const forged = await mallory.nextJingle('session-initiate');
    // The forged answer still shapes the attacker's own offer: it is used for that one participant.
    expect(forged.jingle.contents.map((c) => c.name)).not.toContain('audio');

    const alice = await JitsiParticipant.connect(stack.prosody, 'alice001', JITSI_FEATURES);
    joined.push(alice);
    await alice.requestConference('honest@conference.meet.localhost');
    await alice.join('honest@conference.meet.localhost', realBuild);
    const offer = await alice.nextJingle('session-initiate');
    expect(offer.jingle.contents.map((c) => c.name)).toEqual(expect.arrayContaining(['audio', 'video']));

    const metrics = await (await fetch(`http://127.0.0.1:${stack.focusHttp}/metrics`)).text();
    expect(metrics).toMatch(/^convene_focus_caps_mismatches_total 1$/m);
  });
});
