// Moderator mute through a real Prosody and the focus (Jicofo's MuteIq): lib-jitsi-meet's muteParticipant asks the
// focus at its room JID; a moderator's request is answered and the member muted hears it from the focus's room JID,
// with the moderator as actor. Anyone else, an unmute of someone else, or a target in another room is refused, and
// the member hears nothing.
import { xml } from '@xmpp/client';
import { buildMuteRequest, muteNamespace, type MuteMedia } from '@convene/protocol/jitsi';
import { focusStackSuite } from '../../harness/focus-stack.js';
import type { JitsiParticipant } from '../../harness/jitsi-participant.js';
import { toXmpp } from '../../harness/xmpp-peer.js';
import { waitUntil } from '../../harness/wait-for.js';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/** The room JID of a participant. */
const jidOf = (p: JitsiParticipant): string => `${p.room}/${p.nick}`;

/** `p` asks the focus to mute `target`: `result`, or the error condition. */
async function ask(p: JitsiParticipant, target: string, media: MuteMedia, mute = true): Promise<string> {
  try {
    await p.peer.request(
      xml('iq', { type: 'set', to: `${p.room}/focus` }, toXmpp(buildMuteRequest({ media, jid: target, mute }))),
    );
    return 'result';
  } catch (err) {
    const condition = (err as { condition?: string }).condition;
    if (condition === undefined) throw err;
    return condition;
  }
}

/** The mute commands `p` received, and answers them as lib-jitsi-meet does. */
function commands(p: JitsiParticipant): Array<{ from: string; media: string; actor: string; text: string }> {
  return p.peer.received
    .filter((s) => s.is('iq') && s.attrs.type === 'set')
    .flatMap((s) => {
      const mute = s.getChild('mute');
      if (mute === undefined) return [];
      const media = String(mute.attrs.xmlns).replace('http://jitsi.org/jitmeet/', '');
      return [{ from: String(s.attrs.from), media, actor: String(mute.attrs.actor), text: mute.getText() }];
    });
}

function answerMutes(p: JitsiParticipant): void {
  for (const media of ['audio', 'video', 'desktop'] as const)
    p.peer.entity.iqCallee.set(muteNamespace(media), 'mute', () => true);
}

/** Whether `p`'s latest self-presence says it is a moderator. */
function isModerator(p: JitsiParticipant): boolean {
  const own = p.peer.received.filter((s) => s.is('presence') && s.attrs.from === jidOf(p)).at(-1);
  const item = own?.getChild('x', NS_MUC_USER)?.getChild('item');
  return item?.attrs.role === 'moderator';
}

describe.each(['component', 'client'] as const)('moderator mute, focus connected as %s', (mode) => {
  const suite = focusStackSuite(mode);

  async function room(name: string, nicks: string[]): Promise<JitsiParticipant[]> {
    const people: JitsiParticipant[] = [];
    for (const nick of nicks) {
      const p = await suite.stack.participant(nick);
      answerMutes(p);
      await p.requestConference(name);
      await p.join(name);
      people.push(p);
    }
    return people;
  }

  it('a moderator mutes a member: answered, and the member told by the focus with the moderator as actor', async () => {
    const [mod, guest] = await room(`mute-${mode}@conference.meet.localhost`, ['mod', 'guest']);
    await waitUntil('the first member to be moderator', () => isModerator(mod!), 10_000, 50);
    expect(isModerator(guest!)).toBe(false);

    for (const media of ['audio', 'video', 'desktop'] as const)
      expect(await ask(mod!, jidOf(guest!), media)).toBe('result');
    await waitUntil('three mute commands', () => commands(guest!).length === 3, 5_000, 20);
    expect(commands(guest!)).toEqual(
      (['audio', 'video', 'desktop'] as const).map((media) => ({
        from: `${guest!.room}/focus`,
        media,
        actor: jidOf(mod!),
        text: 'true',
      })),
    );
    // Muting and unmuting oneself is answered, and nobody is told.
    expect(await ask(guest!, jidOf(guest!), 'audio', false)).toBe('result');
    expect(await ask(mod!, jidOf(mod!), 'audio', true)).toBe('result');
    await new Promise((r) => setTimeout(r, 300));
    expect(commands(mod!)).toEqual([]);
    expect(commands(guest!)).toHaveLength(3);
  });

  it('refuses a member who is no moderator, an unmute of someone else, a stranger and bad requests', async () => {
    const [mod, guest] = await room(`refuse-${mode}@conference.meet.localhost`, ['mod', 'guest']);
    const [other] = await room(`other-${mode}@conference.meet.localhost`, ['other']);
    await waitUntil('the first member to be moderator', () => isModerator(mod!), 10_000, 50);
    await waitUntil('the other room’s member to be moderator', () => isModerator(other!), 10_000, 50);

    expect(await ask(guest!, jidOf(mod!), 'audio')).toBe('not-allowed');
    expect(await ask(mod!, jidOf(guest!), 'audio', false)).toBe('not-allowed');
    // A moderator of another room cannot reach this one's members, nor this room's moderator a stranger.
    expect(await ask(other!, jidOf(guest!), 'audio')).toBe('item-not-found');
    expect(await ask(mod!, jidOf(other!), 'audio')).toBe('item-not-found');
    expect(await ask(mod!, `${mod!.room}/nobody`, 'video')).toBe('item-not-found');
    // Straight to the focus's own address, not through the room: no member of any conference.
    const direct = await mod!.peer
      .request(
        xml(
          'iq',
          { type: 'set', to: mode === 'component' ? 'focus.meet.localhost' : suite.stack.focusJid },
          toXmpp(buildMuteRequest({ media: 'audio', jid: jidOf(guest!), mute: true })),
        ),
      )
      .then(
        () => 'result',
        (err: { condition?: string }) => err.condition,
      );
    expect(direct).not.toBe('result');
    const bad = await mod!.peer
      .request(
        xml(
          'iq',
          { type: 'set', to: `${mod!.room}/focus` },
          xml('mute', { xmlns: muteNamespace('audio'), jid: jidOf(guest!) }, 'maybe'),
        ),
      )
      .then(
        () => 'result',
        (err: { condition?: string }) => err.condition,
      );
    expect(bad).toBe('bad-request');
    await new Promise((r) => setTimeout(r, 300));
    expect(commands(guest!)).toEqual([]);
    expect(commands(mod!)).toEqual([]);
    expect(commands(other!)).toEqual([]);
  });
});
