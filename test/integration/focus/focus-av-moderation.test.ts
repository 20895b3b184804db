// AV moderation through a real Prosody and the focus, as Jicofo enforces it: a component at the av_moderation
// address (here a stand-in speaking the messages of Prosody's module, which is not packaged in Debian) turns
// moderation on; every member who is neither moderator nor on the whitelist is told to mute and force-muted on the
// bridge (Colibri2), may not unmute until whitelisted, and a later joiner starts muted. The same message from
// anyone but the component changes nothing.
import { xml } from '@xmpp/client';
import { buildMuteRequest, type MuteMedia } from '@convene/protocol/jitsi';
import { ColibriPeer } from '../../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import type { JitsiParticipant } from '../../harness/jitsi-participant.js';
import { waitUntil } from '../../harness/wait-for.js';
import { connectComponent, toXmpp, type XmppPeer } from '../../harness/xmpp-peer.js';

const AV = { domain: 'avmoderation.meet.localhost', secret: 'av-moderation-secret' };
const ROOM = 'moderated@conference.meet.localhost';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const jidOf = (p: JitsiParticipant): string => `${p.room}/${p.nick}`;

let stack: FocusStack;
let bridge: ColibriPeer;
let av: XmppPeer;

beforeAll(async () => {
  stack = await startFocusStack('component', {}, { extraComponents: [AV] });
  bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
  await waitForBridges(stack.focusHttp, 1);
  const service = `xmpp://${stack.prosody.bindAddress}:${stack.prosody.ports.component}`;
  av = await connectComponent({ service, domain: AV.domain, password: AV.secret });
});
afterAll(async () => {
  await stack?.closeParticipants();
  await av?.close();
  await bridge?.close();
  await stack?.close();
});

/** What Prosody's module sends each occupant (the focus included) when a moderator changes something. */
function moderation(from: XmppPeer, body: Record<string, unknown>): Promise<void> {
  return from.send(
    xml(
      'message',
      { to: `${stack.focusJid}/focus`, from: from.jid },
      xml(
        'json-message',
        { xmlns: 'http://jitsi.org/jitmeet' },
        JSON.stringify({ type: 'av_moderation', room: ROOM, ...body }),
      ),
    ),
  );
}

async function ask(p: JitsiParticipant, target: string, media: MuteMedia, mute: boolean): Promise<string> {
  return p.peer
    .request(xml('iq', { type: 'set', to: `${p.room}/focus` }, toXmpp(buildMuteRequest({ media, jid: target, mute }))))
    .then(
      () => 'result',
      (err: { condition?: string }) => err.condition ?? 'error',
    );
}

/** The mute commands `p` got from the focus: media and actor. */
function commands(p: JitsiParticipant): string[] {
  return p.peer.received.flatMap((s) => {
    const mute = s.is('iq') ? s.getChild('mute') : undefined;
    return mute === undefined ? [] : [`${String(mute.attrs.xmlns).split('/').at(-1)} by ${String(mute.attrs.actor)}`];
  });
}

/** The force-mute the bridge was last told for an endpoint (allocation or update). */
function forceMuteOf(id: string): unknown {
  return bridge
    .endpointRequests(id)
    .filter((e) => e.forceMute !== undefined)
    .at(-1)?.forceMute;
}

test('moderation on mutes and force-mutes the others, holds their unmute until whitelisted, and starts joiners muted', async () => {
  const [mod, ann, bob] = [
    await stack.participant('a0000001'),
    await stack.participant('a0000002'),
    await stack.participant('a0000003'),
  ];
  for (const p of [mod, ann, bob]) p.peer.entity.iqCallee.set('http://jitsi.org/jitmeet/audio', 'mute', () => true);
  await mod.requestConference(ROOM);
  for (const p of [mod, ann, bob]) await p.join(ROOM);
  for (const p of [mod, ann, bob]) await p.nextJingle('session-initiate');
  await waitUntil(
    'the first member to be moderator',
    () =>
      mod.peer.received.some(
        (s) =>
          s.attrs.from === jidOf(mod) && s.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs.role === 'moderator',
      ),
    10_000,
    50,
  );

  // Someone who is not the component says the same: nothing happens.
  await moderation(bob.peer, { enabled: true, mediaType: 'audio', actor: jidOf(bob), whitelists: { audio: [] } });
  await new Promise((r) => setTimeout(r, 500));
  expect([...commands(ann), ...commands(bob)]).toEqual([]);
  expect(await ask(ann, jidOf(ann), 'audio', false)).toBe('result');

  // The moderator turns audio moderation on, bob whitelisted: ann alone is muted, and dropped by the bridge.
  await moderation(av, { enabled: true, mediaType: 'audio', actor: jidOf(mod), whitelists: { audio: [jidOf(bob)] } });
  await waitUntil('ann to be muted', () => commands(ann).length === 1, 5_000, 20);
  expect(commands(ann)).toEqual([`audio by ${jidOf(mod)}`]);
  await waitUntil('the bridge to drop ann’s audio', () => forceMuteOf(ann.nick) !== undefined, 5_000, 20);
  expect(forceMuteOf(ann.nick)).toEqual({ audio: true, video: false });
  expect([...commands(mod), ...commands(bob)]).toEqual([]);
  expect(forceMuteOf(bob.nick)).toBeUndefined();

  expect(await ask(ann, jidOf(ann), 'audio', false)).toBe('not-allowed');
  expect(await ask(bob, jidOf(bob), 'audio', false)).toBe('result');
  expect(await ask(mod, jidOf(mod), 'audio', false)).toBe('result');

  // Whitelisted (a moderator let her speak), ann unmutes, and the bridge lets her audio through again.
  await moderation(av, { whitelists: { audio: [jidOf(bob), jidOf(ann)] } });
  await waitUntil(
    'ann’s unmute to be allowed',
    async () => (await ask(ann, jidOf(ann), 'audio', false)) === 'result',
    5_000,
    100,
  );
  await waitUntil(
    'the bridge to take ann’s audio',
    () => (forceMuteOf(ann.nick) as { audio?: boolean }).audio === false,
    5_000,
    20,
  );

  // A joiner while moderation is on starts muted, and its allocation is force-muted from the start.
  const cat = await stack.participant('a0000004');
  await cat.join(ROOM);
  const init = await cat.nextJingle('session-initiate');
  expect(init.jingle.startMuted).toEqual({ audio: true, video: false });
  expect(bridge.endpointRequests(cat.nick)[0]?.forceMute).toEqual({ audio: true, video: false });

  // Off again: cat may unmute.
  await moderation(av, { enabled: false, mediaType: 'audio', actor: jidOf(mod) });
  await waitUntil(
    'cat’s unmute to be allowed',
    async () => (await ask(cat, jidOf(cat), 'audio', false)) === 'result',
    5_000,
    100,
  );
  expect(forceMuteOf(cat.nick)).toEqual({ audio: false, video: false });
});
