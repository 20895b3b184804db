// Jingle from a participant after its offer (PROTOCOL.md §4.4–§4.6): validate it, answer, then bring the bridge and
// the other participants up to date. Runs inside the conference's queue; the conference owns all the state.
import type { Logger } from 'pino';
import type { Jingle } from '@convene/protocol/jingle';
import { InvalidStateError, type EndpointId } from '@convene/protocol/lib';
import type { EndpointSources, SourceMap } from '@convene/protocol/sources';
import type { ColibriSession } from '../colibri/colibri-session.js';
import type { JingleSession } from '../jingle/jingle-session.js';
import { StanzaFailure } from '@convene/protocol/xml';
import { stripSimulcast, type ConferenceSources } from './conference-sources.js';
import { sourcesOf } from './invite.js';
import type { Participant } from './participant.js';

/** What the handlers need of their conference. */
export interface JingleContext {
  readonly sources: ConferenceSources;
  readonly participants: ReadonlyMap<EndpointId, Participant>;
  readonly log: Logger;
  /** The conference's bridge session now (it changes when the conference moves). */
  colibri(): ColibriSession | undefined;
  bridgeSessionId(): string;
  /** The session router forgets an ended session. */
  forgetSession(sid: string): void;
  /** Work after the IQ is acked, still in conference order; a Colibri2 failure in it fails the bridge session. */
  afterAck(task: () => Promise<void>): void;
  invite(p: Participant): Promise<void>;
  /** A participant's first session-accept, `seconds` after it joined the room. */
  joined(seconds: number): void;
}

/** Handles one Jingle IQ of `p`'s session; returning acks it, throwing answers the error. */
export function handleParticipantJingle(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  if (p.session === undefined || p.session.sid !== jingle.sid)
    throw new InvalidStateError('unknown-session', 'no such session');
  switch (jingle.action) {
    case 'session-accept':
      return onAccept(ctx, p, jingle);
    case 'source-add':
      return onSourceAdd(ctx, p, jingle);
    case 'source-remove':
      return onSourceRemove(ctx, p, jingle);
    case 'transport-info':
      return onTransportInfo(ctx, p, jingle);
    case 'session-terminate':
      return onTerminate(ctx, p, jingle);
    case 'session-info':
      // In-place ICE restart is optional (PROTOCOL.md §4.6): refusing makes the client do a full restart.
      if (jingle.bridgeSession?.iceRestart === true) {
        throw new StanzaFailure('ice-restart', {
          type: 'cancel',
          condition: 'feature-not-implemented',
          extensions: [],
        });
      }
      return;
    default:
      throw new StanzaFailure('unsupported-action', {
        type: 'cancel',
        condition: 'feature-not-implemented',
        text: `unsupported action ${jingle.action}`,
        extensions: [],
      });
  }
}

function onAccept(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  const session = p.session as JingleSession;
  const added = ctx.sources.tryAdd(p.id, sourcesOf(jingle.contents)); // throws: bad-request, nothing changed
  const transport = jingle.contents.find((c) => c.transport !== undefined)?.transport;
  const initialLastN = jingle.contents.find((c) => c.name === 'video')?.initialLastN;
  session.activate();
  ctx.log.info({ endpointId: p.id }, 'session accepted');
  if (!p.accepted) {
    p.accepted = true;
    ctx.joined((Date.now() - p.joinedAt) / 1000);
  }
  ctx.afterAck(async () => {
    await ctx.colibri()?.updateEndpoint(p.id, {
      ...(transport !== undefined ? { transport: { ...transport, rtcpMux: true } } : {}),
      sources: ctx.sources.of(p.id),
      ...(initialLastN !== undefined ? { initialLastN } : {}),
    });
    relay(ctx, p, 'source-add', added);
  });
}

function onSourceAdd(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  const added = ctx.sources.tryAdd(p.id, sourcesOf(jingle.contents));
  ctx.afterAck(async () => {
    await ctx.colibri()?.updateEndpoint(p.id, { sources: ctx.sources.of(p.id) });
    relay(ctx, p, 'source-add', added);
  });
}

function onSourceRemove(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  const removed = ctx.sources.remove(p.id, sourcesOf(jingle.contents));
  ctx.afterAck(async () => {
    await ctx.colibri()?.updateEndpoint(p.id, { sources: ctx.sources.of(p.id) });
    relay(ctx, p, 'source-remove', removed);
  });
}

function onTransportInfo(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  // Content names are mids here: take the first transport whatever it is called (PROTOCOL.md §4.5).
  const transport = jingle.contents.find((c) => c.transport !== undefined)?.transport;
  if (transport === undefined) return;
  ctx.afterAck(
    () => ctx.colibri()?.updateEndpoint(p.id, { transport: { ...transport, rtcpMux: true } }) ?? Promise.resolve(),
  );
}

function onTerminate(ctx: JingleContext, p: Participant, jingle: Jingle): void {
  const session = p.session as JingleSession;
  session.ended();
  ctx.forgetSession(session.sid);
  p.session = undefined;
  // Jicofo terminateParticipant(..., sendSourceRemove = true): the others drop the old SSRCs before the
  // restarted session's source-add, else lib-jitsi-meet keeps stale m-lines ("received a second remote track").
  const gone = ctx.sources.of(p.id);
  ctx.sources.removeEndpoint(p.id);
  const restart = jingle.bridgeSession?.restart === true;
  if (restart && jingle.bridgeSession?.id !== ctx.bridgeSessionId()) {
    throw new StanzaFailure('bad-bridge-session', { type: 'cancel', condition: 'item-not-found', extensions: [] });
  }
  if (restart && !p.allowRestart(Date.now())) {
    throw new StanzaFailure('restart-limited', { type: 'wait', condition: 'resource-constraint', extensions: [] });
  }
  ctx.afterAck(async () => {
    relay(ctx, p, 'source-remove', gone);
    await ctx.colibri()?.expireEndpoint(p.id);
    if (restart) {
      ctx.log.info({ endpointId: p.id }, 'restart requested');
      await ctx.invite(p);
    }
  });
}

/** Tells every other participant with a session about `from`'s sources, simulcast stripped. */
function relay(
  ctx: JingleContext,
  from: Participant,
  action: 'source-add' | 'source-remove',
  sources: EndpointSources,
) {
  // Re-announcing a known source, or removing an unknown one, changes nothing: nothing to tell the others.
  const { audio, video } = sources;
  if (audio.sources.length + audio.groups.length + video.sources.length + video.groups.length === 0) return;
  // Receivers get simulcast stripped, as in session-initiate (Jicofo propagateNewSources strips too).
  const map: SourceMap = new Map([[from.id, stripSimulcast(sources)]]);
  for (const other of ctx.participants.values()) {
    // The bridge tells an SSRC-rewriting participant what it forwards (Jicofo's addRemoteSources returns early).
    if (other === from || other.session === undefined || other.ssrcRewriting) continue;
    if (action === 'source-add') other.session.sourceAdd(map);
    else other.session.sourceRemove(map);
  }
}
