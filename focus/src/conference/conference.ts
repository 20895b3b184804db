// One room's conference: membership, invites, the bridge session and moving it; everything runs in the room's one
// queue. Jingle from participants after their offer is handled in participant-jingle.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Jingle } from '@convene/protocol/jingle';
import { SerialQueue, toEndpointId, type EndpointId, TypedEmitter } from '@convene/protocol/lib';
import type { Bridge } from '../bridges/bridge.js';
import { ColibriError, expireFailed } from '../colibri/colibri-error.js';
import { ColibriSession } from '../colibri/colibri-session.js';
import { JingleSession } from '../jingle/jingle-session.js';
import { MucRoom } from '../muc/muc-room.js';
import type { Occupant } from '../muc/occupant.js';
import { BridgeLosses } from './bridge-losses.js';
import { ConferenceSources } from './conference-sources.js';
import { buildInvite } from './invite.js';
import { buildOffer, toColibri2Media } from './offer.js';
import { ownersToGrant } from './owners.js';
import { MutePolicy } from './mute-policy.js';
import { AloneTimer } from './alone-timer.js';
import { focusPresence } from './room-presence.js';
import { Participant } from './participant.js';
import type { ConferenceCounters, ConferenceEvents, ConferenceOptions } from './conference-options.js';
import type { Brewery } from '../bridges/brewery.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import type { FeatureDiscovery } from './features.js';
import { handleParticipantJingle, type JingleContext } from './participant-jingle.js';

export type { ConferenceEvents, ConferenceOptions } from './conference-options.js';

export interface ConferenceDeps extends ConferenceCounters {
  conn: FocusConnection;
  brewery: Brewery;
  discovery: FeatureDiscovery;
  /** Tells the router which session belongs to whom. */
  sessions: Map<string, { conference: Conference; participant: Participant }>;
  log: Logger;
  /** Secure domain: whether a real full JID is authenticated; owners are then those only (owners.ts). */
  authenticated?: (realJid: string) => boolean;
}

/** One room: the focus in its MUC, its participants, their Jingle sessions and the conference on a bridge. */
export class Conference extends TypedEmitter<ConferenceEvents> {
  readonly roomJid: string;
  readonly room: MucRoom;
  readonly participants = new Map<EndpointId, Participant>();
  /** Start-muted limits and AV moderation (mute-policy.ts). */
  readonly mutes = new MutePolicy();
  readonly #deps: ConferenceDeps;
  readonly #options: ConferenceOptions;
  readonly #log: Logger;
  readonly #queue = new SerialQueue();
  readonly #sources = new ConferenceSources();
  readonly #jingle: JingleContext;
  #colibri: ColibriSession | undefined;
  #bridgeSessionId = randomUUID();
  #bridgeMissing = false;
  #ended = false;
  readonly #alone: AloneTimer;
  readonly #losses = new BridgeLosses();
  readonly ready: Promise<void>;
  readonly createdAt = Date.now();

  constructor(roomJid: string, options: ConferenceOptions, deps: ConferenceDeps) {
    super((err, event) => deps.log.error({ err, event }, 'listener threw'));
    this.roomJid = roomJid;
    this.#options = options;
    this.#deps = deps;
    this.#log = deps.log.child({ room: roomJid });
    this.#alone = new AloneTimer(options.singleParticipantTimeoutMs, () =>
      this.#run('alone', () => this.#endAloneSession()),
    );
    this.room = new MucRoom(deps.conn, { roomJid, nick: options.nick, focusJid: options.focusJid, log: this.#log });
    this.room.on('memberjoin', (o) => this.#run('member join', () => this.#onJoin(o)));
    this.room.on('memberupdate', (o) => this.participants.get(toEndpointId(o.nick))?.update(o, this.#log));
    this.room.on('memberleave', (o) => this.#run('member leave', () => this.#onLeave(o)));
    this.room.on('gone', () => this.#run('room gone', () => this.#end()));
    this.ready = this.room.join(focusPresence(roomJid, false, false, options.version));
    this.#jingle = {
      sources: this.#sources,
      participants: this.participants,
      log: this.#log,
      colibri: () => this.#colibri,
      bridgeSessionId: () => this.#bridgeSessionId,
      forgetSession: (sid) => this.#deps.sessions.delete(sid),
      afterAck: (task) => this.#afterAck(task),
      invite: (p) => this.#invite(p),
      joined: (seconds) => this.#deps.observeJoin?.(seconds),
    };
  }

  get bridge(): Bridge | undefined {
    return this.#colibri?.bridge;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Ends the conference from outside (shutdown, nobody came). */
  end(): Promise<void> {
    return this.#queue.run(() => this.#end());
  }

  /** A Jingle IQ from one of our participants; resolving acks it, throwing answers an error. */
  onJingle(p: Participant, jingle: Jingle): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/require-await -- the queue takes async tasks; throws become rejections
    return this.#queue.run(async () => handleParticipantJingle(this.#jingle, p, jingle));
  }

  /** The bridge went away or is shutting down: move everyone to another one. */
  onBridgeDown(bridge: Bridge): void {
    if (this.#colibri?.bridge !== bridge) return;
    this.#run('bridge down', () => this.#moveAll('bridge down'));
  }

  /** A bridge appeared: invite whoever waited for one. */
  onBridgeUp(): void {
    if (this.#bridgeMissing) this.#run('bridge up', () => this.#inviteAll());
  }

  #run(what: string, task: () => Promise<void>): void {
    void this.#queue.run(task).catch((err: unknown) => this.#log.error({ err, what }, 'conference task failed'));
  }

  async #onJoin(o: Occupant): Promise<void> {
    if (this.#ended) return;
    const id = toEndpointId(o.nick);
    const p = new Participant(id, o, this.#log);
    this.participants.set(id, p);
    this.#log.info({ endpointId: id, members: this.participants.size }, 'participant joined');
    this.#alone.update(this.participants.size);
    await this.#autoOwner();
    await this.#inviteAll();
  }

  async #onLeave(o: Occupant): Promise<void> {
    const id = toEndpointId(o.nick);
    const p = this.participants.get(id);
    if (p === undefined) return;
    this.participants.delete(id);
    if (p.session !== undefined) {
      this.#deps.sessions.delete(p.session.sid);
      p.session.ended();
    }
    // No source-remove: clients drop a leaver's sources themselves (PROTOCOL.md §3.3).
    this.#sources.removeEndpoint(id);
    this.#log.info({ endpointId: id, members: this.participants.size }, 'participant left');
    if (this.participants.size === 0) {
      await this.#end();
      return;
    }
    if (this.#colibri !== undefined)
      await this.#colibri.expireEndpoint(id).catch((err: unknown) => this.#colibriFailed(err, true));
    this.#alone.update(this.participants.size);
    await this.#autoOwner();
  }

  async #endAloneSession(): Promise<void> {
    if (this.participants.size !== 1 || this.#ended) return;
    const [p] = this.participants.values();
    if (p?.session !== undefined) {
      this.#deps.sessions.delete(p.session.sid);
      await p.session.terminate({ condition: 'expired', text: 'Idle session timeout' });
      p.session = undefined;
      this.#sources.removeEndpoint(p.id);
      this.#log.info({ endpointId: p.id }, 'single participant timed out');
    }
    const colibri = this.#colibri;
    this.#colibri = undefined;
    await colibri?.expire().catch(expireFailed(this.#log));
  }

  /** Owners as Jicofo makes them: the first member (auto-owner; not in a breakout room), or the authenticated ones. */
  async #autoOwner(): Promise<void> {
    // Jicofo: no auto-owner in breakout rooms (Prosody's module gives them the main room's moderators).
    if (this.#deps.authenticated === undefined && this.room.breakoutOf !== undefined) return;
    const occupants = [...this.participants.values()].map((p) => p.occupant);
    for (const jid of ownersToGrant(occupants, this.#deps.authenticated))
      await this.room.grantOwner(jid).catch((err: unknown) => this.#log.warn({ err }, 'could not grant owner'));
  }

  /** Tells the bridge what to drop from `p` now (AV moderation, mute-policy.ts), when that changed. */
  applyForceMute(p: Participant): void {
    this.#run('force-mute', async () => {
      const want = this.mutes.forceMuteOf(p.occupant);
      if (p.session === undefined || (want.audio === p.forceMuted.audio && want.video === p.forceMuted.video)) return;
      await this.#colibri?.updateEndpoint(p.id, { forceMute: want });
      p.forceMuted = want;
    });
  }

  /** A requester just authenticated (secure domain): if it is a member, it becomes owner. */
  onAuthenticated(): void {
    this.#run('authenticated', () => this.#autoOwner());
  }

  async #inviteAll(): Promise<void> {
    if (this.#ended) return;
    if (this.participants.size < this.#options.minParticipants) {
      this.#log.debug({ members: this.participants.size }, 'invites wait for more members');
      return;
    }
    for (const p of this.participants.values()) {
      if (p.session === undefined && !p.inviting) await this.#invite(p);
    }
  }

  /** The participant answered our session-initiate with an error: the invite is undone, as if it had failed. */
  async #initiateRefused(p: Participant, session: JingleSession, colibri: ColibriSession, err: unknown): Promise<void> {
    this.#log.warn({ err, endpointId: p.id }, 'invite failed');
    this.#deps.sessions.delete(session.sid);
    if (p.session !== session) return;
    p.session = undefined;
    await colibri
      .expireEndpoint(p.id)
      .catch((e: unknown) => this.#log.debug({ err: e, endpointId: p.id }, 'expire after a failed invite failed'));
  }

  async #invite(p: Participant): Promise<void> {
    p.inviting = true;
    let colibri: ColibriSession | undefined;
    try {
      colibri = this.#ensureColibri(p);
      if (colibri === undefined) return;
      const features = await this.#deps.discovery.discover(this.room.ownJid, p.occupant.occupantJid, p.presence.caps);
      if (!this.participants.has(p.id)) return; // left while we asked
      const offer = buildOffer(this.#options.videoCodecs, { ...features, sctp: features.sctp && this.#options.sctp });
      const rewriting = (p.ssrcRewriting = this.#options.ssrcRewriting && features.ssrcRewriting); // Jicofo's
      const mutes = this.mutes.forInvite(p.occupant, this.participants.size, p.invites++ === 0);
      const allocation = await colibri.allocate({
        endpointId: p.id,
        statsId: p.presence.statsId,
        media: toColibri2Media(offer),
        sctp: offer.sctp,
        ssrcRewriting: rewriting,
        forceMute: mutes.forceMute,
      });
      p.forceMuted = mutes.forceMute;
      const session = new JingleSession({
        conn: this.#deps.conn,
        from: this.room.ownJid,
        peer: p.occupant.occupantJid,
        useJsonSources: features.jsonSources,
        log: this.#log.child({ endpointId: p.id }),
      });
      p.session = session;
      this.#deps.sessions.set(session.sid, { conference: this, participant: p });
      const invite = buildInvite({
        offer,
        allocation,
        remoteSources: this.#sources.forReceiver(p.id),
        ssrcRewriting: rewriting,
        useJsonSources: features.jsonSources,
        bridgeSessionId: this.#bridgeSessionId,
        region: colibri.bridge.state.region,
      });
      if (mutes.startMuted !== undefined) invite.startMuted = mutes.startMuted;
      // The room's queue does not wait for the participant's ack (up to 15 s): the others' changes go on, and a
      // refusal comes back as a task of its own.
      const invited = colibri;
      void session
        .initiate(invite)
        .catch((err: unknown) => this.#run('initiate refused', () => this.#initiateRefused(p, session, invited, err)));
      this.#log.info({ endpointId: p.id, bridge: colibri.bridge.id, sid: session.sid }, 'participant invited');
    } catch (err) {
      if (err instanceof ColibriError) await this.#colibriFailed(err);
      else this.#log.warn({ err, endpointId: p.id }, 'invite failed');
      if (p.session !== undefined) this.#deps.sessions.delete(p.session.sid);
      p.session = undefined;
      await colibri
        ?.expireEndpoint(p.id)
        .catch((e: unknown) => this.#log.debug({ err: e, endpointId: p.id }, 'expire after a failed invite failed'));
    } finally {
      p.inviting = false;
    }
    // Our own failure moved the conference while we were inviting: the move re-invited everyone else but skipped
    // us (inviting), so go again on the new bridge. Each move fails a bridge, so this ends.
    const moved = colibri !== undefined && this.#colibri !== colibri;
    if (moved && p.session === undefined && this.participants.get(p.id) === p && !this.#ended) await this.#invite(p);
  }

  #ensureColibri(p: Participant): ColibriSession | undefined {
    if (this.#colibri !== undefined) return this.#colibri;
    const bridge = this.#deps.brewery.select({ region: p.region });
    if (bridge === undefined) {
      if (!this.#bridgeMissing) this.#log.warn('no bridge available');
      this.#bridgeMissing = true;
      void this.#publishPresence();
      return undefined;
    }
    const wasMissing = this.#bridgeMissing;
    this.#bridgeMissing = false;
    this.#colibri = new ColibriSession({
      conn: this.#deps.conn,
      bridge,
      meetingId: this.room.meetingId,
      roomJid: this.roomJid,
      from: this.room.ownJid,
      log: this.#log,
    });
    this.#bridgeSessionId = randomUUID();
    this.#log.info({ bridge: bridge.id }, 'bridge selected');
    if (wasMissing) void this.#publishPresence();
    return this.#colibri;
  }

  /** Work that follows a Jingle ack, still in conference order. */
  #afterAck(task: () => Promise<void>): void {
    this.#run('after ack', async () => {
      try {
        await task();
      } catch (err) {
        if (err instanceof ColibriError) await this.#colibriFailed(err, true);
        else throw err;
      }
    });
  }

  /**
   * A Colibri2 request failed (PROTOCOL.md §5.6). On an allocation, a bridge fault moves the conference and a
   * request fault abandons that invite. On a later request (`later`: update or expire), a timeout is only logged and
   * any other error fails the whole bridge session: everyone is re-invited (on the same bridge unless it is at fault),
   * so the bridge and the participants never disagree about sources.
   */
  async #colibriFailed(err: unknown, later = false): Promise<void> {
    if (!(err instanceof ColibriError)) {
      this.#log.warn({ err }, 'colibri request failed');
      return;
    }
    this.#deps.countColibriError?.(err.condition);
    if (err.session !== undefined && err.session !== this.#colibri) {
      this.#log.debug({ err }, 'colibri error for a bridge session already left');
      return;
    }
    if (err.reason === 'conference_not_found' && this.#colibri !== undefined && !this.#losses.tooMany(Date.now())) {
      // The bridge ended the conference (its endpoints all hung up, its idle timer, a restart): that says nothing
      // about the bridge. Start over on a fresh conference there, as Jicofo does (PROTOCOL.md §5.6).
      this.#log.info({ bridge: this.#colibri.bridge.id, later }, 'bridge conference gone; recreating it');
      await this.#moveAll('conference_not_found', { bridgeHealthy: true, gone: true });
      return;
    }
    this.#log.warn({ err, bridge: this.#colibri?.bridge.id, later }, 'colibri request failed');
    if (later && err.condition === 'timeout') return;
    if (err.bridgeFailed || err.reason === 'conference_not_found' || err.reason === 'graceful_shutdown') {
      this.#colibri?.bridge.markFailed(Date.now());
      await this.#moveAll(err.reason ?? err.condition);
    } else if (later) {
      await this.#moveAll(err.reason ?? err.condition, { bridgeHealthy: true });
    }
  }

  /**
   * Re-invites everyone on a fresh bridge conference: session-terminate, then a new session-initiate. When the
   * same bridge may be picked again (`bridgeHealthy`), its old conference is expired first: same meeting id
   * (unless the bridge says it is `gone` already).
   */
  async #moveAll(why: string, how: { bridgeHealthy?: boolean; gone?: boolean } = {}): Promise<void> {
    const old = this.#colibri;
    this.#colibri = undefined;
    if (old === undefined || this.#ended) return;
    if (how.gone !== true) this.#log.warn({ bridge: old.bridge.id, why }, 'moving conference');
    if (how.gone === true) old.forget();
    else if (how.bridgeHealthy === true) await old.expire().catch(expireFailed(this.#log));
    else void old.expire().catch(expireFailed(this.#log));
    this.#deps.countMoved?.([...this.participants.values()].filter((p) => p.session !== undefined).length);
    for (const p of this.participants.values()) {
      if (p.session === undefined) continue;
      this.#deps.sessions.delete(p.session.sid);
      await p.session.terminate({ condition: 'success', text: 'moving' });
      p.session = undefined;
      this.#sources.removeEndpoint(p.id);
    }
    await this.#inviteAll();
  }

  async #end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#alone.stop();
    for (const p of this.participants.values()) if (p.session !== undefined) this.#deps.sessions.delete(p.session.sid);
    this.participants.clear();
    const colibri = this.#colibri;
    this.#colibri = undefined;
    await colibri?.expire().catch(expireFailed(this.#log));
    await this.room.leave().catch((err: unknown) => this.#log.warn({ err }, 'could not leave the room'));
    this.#log.info('conference ended');
    this.emit('ended');
  }

  async #publishPresence(): Promise<void> {
    const [onBridge, version] = [this.#colibri !== undefined, this.#options.version];
    const extensions = focusPresence(this.roomJid, onBridge, this.#bridgeMissing, version);
    await this.room.setExtensions(extensions).catch((err: unknown) => this.#log.warn({ err }, 'presence failed'));
  }
}
