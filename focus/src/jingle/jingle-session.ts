import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  buildJingleIq,
  emptyRtpDescription,
  type Jingle,
  type JingleContent,
  type JingleReason,
} from '@convene/protocol/jingle';
import type { SourceMap } from '@convene/protocol/sources';
import type { FocusConnection } from '../xmpp/focus-connection.js';

export type SessionState = 'pending' | 'active' | 'ended';

/** Jicofo counts a session-initiate that is not answered in 15 s as sent (PROTOCOL.md §4.2). */
const INITIATE_TIMEOUT_MS = 15_000;

/**
 * The focus's Jingle session with one participant (PROTOCOL.md §4): sends from the focus's occupant JID so the
 * MUC shows it as `room/focus`, queues source changes until the participant has accepted.
 */
export class JingleSession {
  readonly sid: string;
  /** `room@conference…/nick` of the participant. */
  readonly peer: string;
  readonly #from: string;
  readonly #conn: FocusConnection;
  readonly #log: Logger;
  readonly #useJson: boolean;
  #state: SessionState = 'pending';
  #queued: Array<{ action: 'source-add' | 'source-remove'; sources: SourceMap }> = [];

  constructor(init: { conn: FocusConnection; from: string; peer: string; useJsonSources: boolean; log: Logger }) {
    this.sid = randomBytes(8).toString('hex');
    this.#conn = init.conn;
    this.#from = init.from;
    this.peer = init.peer;
    this.#useJson = init.useJsonSources;
    this.#log = init.log.child({ sid: this.sid });
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Sends session-initiate; resolves when acked (or unanswered for 15 s), throws on an error reply. */
  async initiate(offer: Omit<Jingle, 'action' | 'sid'>): Promise<void> {
    try {
      await this.#send(
        { ...offer, action: 'session-initiate', sid: this.sid, initiator: this.#from },
        INITIATE_TIMEOUT_MS,
      );
    } catch (err) {
      if ((err as { condition?: string }).condition === 'timeout') {
        this.#log.warn('session-initiate not acknowledged in time; carrying on');
        return;
      }
      this.#state = 'ended';
      throw err;
    }
  }

  /** The participant accepted: flush source changes that waited for it. */
  activate(): void {
    if (this.#state !== 'pending') return;
    this.#state = 'active';
    const queued = this.#queued;
    this.#queued = [];
    for (const q of queued) this.#sendSources(q.action, q.sources);
  }

  sourceAdd(sources: SourceMap): void {
    this.#sendSources('source-add', sources);
  }

  sourceRemove(sources: SourceMap): void {
    this.#sendSources('source-remove', sources);
  }

  /** Ends the session from our side (moving bridges, idle timeout). */
  async terminate(reason: JingleReason): Promise<void> {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    try {
      await this.#send({ action: 'session-terminate', sid: this.sid, contents: [], groups: [], reason }, 5_000);
    } catch (err) {
      this.#log.debug({ err }, 'session-terminate not acknowledged');
    }
  }

  /** The participant ended it. */
  ended(): void {
    this.#state = 'ended';
  }

  #sendSources(action: 'source-add' | 'source-remove', sources: SourceMap): void {
    if (sources.size === 0 || this.#state === 'ended') return;
    if (this.#state === 'pending') {
      this.#queued.push({ action, sources });
      return;
    }
    const jingle: Jingle = { action, sid: this.sid, contents: [], groups: [] };
    if (this.#useJson) jingle.jsonSources = sources;
    else jingle.contents = xmlSourceContents(sources);
    void this.#send(jingle, 10_000).catch((err: unknown) => this.#log.warn({ err, action }, 'source update rejected'));
  }

  async #send(jingle: Jingle, timeoutMs: number): Promise<void> {
    const iq = buildJingleIq({
      iq: { type: 'set', id: randomBytes(6).toString('hex'), from: this.#from, to: this.peer },
      jingle,
    });
    await this.#conn.request(iq, timeoutMs);
  }
}

/** Sources of many owners as `audio`/`video` contents, each source carrying its owner (PROTOCOL.md §4.4). */
export function xmlSourceContents(sources: SourceMap): JingleContent[] {
  const contents: JingleContent[] = [];
  for (const media of ['audio', 'video'] as const) {
    const all = [...sources.entries()].flatMap(([owner, set]) => set[media].sources.map((s) => ({ ...s, owner })));
    const groups = [...sources.values()].flatMap((set) => set[media].groups);
    if (all.length === 0) continue;
    contents.push({
      name: media,
      creator: 'initiator',
      description: { ...emptyRtpDescription(media), sources: all, ssrcGroups: groups },
    });
  }
  return contents;
}
