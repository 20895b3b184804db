// Full ICE (RFC 8445) as the controlling agent for one endpoint, behind a single shared UDP socket.
// The agent never touches the socket: the media server hands it STUN messages and gives it a send callback.
import { randomBytes } from 'node:crypto';
import { refuseCandidate } from './candidate-policy.js';
import type { IceAgentDeps, IceCandidate, IceCounters, IceParams, IceState } from './ice-params.js';
import {
  STUN_BINDING_ERROR,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  checkFingerprint,
  checkIntegrity,
  writeStun,
  type StunMessage,
} from './stun-message.js';

// RFC 8445 §5.1.2.1 type preferences.
const PRFLX_PRIORITY = ((110 << 24) | (65535 << 8) | 255) >>> 0;
const MAX_CHECKS_PER_PAIR = 40;
const CHECK_RETRY_MS = 200;
/** Unanswered nomination checks on one pair before another valid pair is nominated instead (about 2 s). */
const MAX_NOMINATION_CHECKS = 10;
/**
 * A relayed pair valid first is nominated only when no direct pair is still being checked, or after this long
 * (ice4j's first-host-or-reflexive strategy): a client that can reach the bridge directly should not cost the
 * operator's TURN server its media because its relay happened to answer first on a loaded machine.
 */
const RELAY_NOMINATION_DELAY_MS = 1_000;
/** Candidate pairs per endpoint: signalled plus peer-reflexive; more is a misbehaving peer. */
const MAX_PAIRS = 32;
/** Checks per pair whose answer is still taken: 8 retries at 200 ms, round trips up to 1.6 s. */
const KEPT_TRANSACTIONS = 8;

interface Pair {
  address: string;
  port: number;
  priority: number;
  state: 'waiting' | 'inprogress' | 'succeeded' | 'failed';
  checks: number;
  lastSentAt: number;
  /** Transaction id of the latest check, hex. */
  /** Transaction ids of its latest checks, oldest first: a late answer (round trip over 200 ms) still counts. */
  tids: string[];
  triggered: boolean;
  /** Signalled as a TURN relay candidate (a peer-reflexive one counts as direct: its type is unknown). */
  relayed: boolean;
}

/** Controlling ICE agent of one endpoint: answers checks, sends its own, nominates, keeps consent. */
export class IceAgent {
  readonly counters: IceCounters = {
    checksSent: 0,
    checksAnswered: 0,
    requestsReceived: 0,
    badIntegrity: 0,
    badFingerprint: 0,
    unmatchedResponses: 0,
    roleConflicts: 0,
    candidatesRefused: 0,
  };
  readonly tieBreaker: bigint = randomBytes(8).readBigUInt64BE(0);
  readonly #deps: IceAgentDeps;
  readonly #pairs = new Map<string, Pair>();
  readonly #pending = new Map<string, { pair: Pair; useCandidate: boolean }>();
  #remote: IceParams | undefined;
  #state: IceState = 'new';
  #selected: Pair | undefined;
  /** The one pair being nominated (RFC 8445 §8.1.1): never two at once, or the peer may pick the other one. */
  #nominated: Pair | undefined;
  /** When a relayed pair is valid but direct ones are still checked: nominate anyway from then. */
  #relayWaitUntil = Infinity;
  #startedAt = 0;
  #lastConsentAt = 0;
  #nextConsentAt = 0;

  constructor(deps: IceAgentDeps) {
    this.#deps = deps;
  }

  get state(): IceState {
    return this.#state;
  }

  get local(): IceParams {
    return this.#deps.local;
  }

  get selected(): { address: string; port: number } | undefined {
    const s = this.#selected;
    return s === undefined ? undefined : { address: s.address, port: s.port };
  }

  /** Sets the peer's credentials and candidates; checks start on the next tick. */
  setRemote(params: IceParams, candidates: readonly IceCandidate[], now: number): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#remote = params;
    for (const c of candidates) this.addRemoteCandidate(c);
    if (this.#state === 'new') {
      this.#startedAt = now;
      this.#setState('checking');
    }
  }

  addRemoteCandidate(c: IceCandidate): void {
    // Names are never resolved, mDNS ones included (JVB: resolve-remote-candidates = false): such a peer still
    // connects, as a peer-reflexive candidate learned from its own checks.
    const refusal = refuseCandidate(c.address, this.#deps.allowLocalCandidates);
    if (refusal !== undefined) {
      this.counters.candidatesRefused++;
      this.#deps.onCandidateRefused?.(refusal);
      return;
    }
    const key = pairKey(c.address, c.port);
    const known = this.#pairs.get(key);
    if (known !== undefined) known.relayed ||= c.type === 'relay';
    else if (this.#pairs.size < MAX_PAIRS)
      this.#pairs.set(key, newPair(c.address, c.port, c.priority, false, c.type === 'relay'));
  }

  /** Handles a STUN message whose USERNAME names our ufrag, or a response routed to us. */
  handleStun(msg: StunMessage, address: string, port: number, now: number): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (!checkFingerprint(msg)) {
      this.counters.badFingerprint++;
      return;
    }
    if (msg.type === STUN_BINDING_REQUEST) this.#onRequest(msg, address, port, now);
    else if (msg.type === STUN_BINDING_SUCCESS || msg.type === STUN_BINDING_ERROR)
      this.#onResponse(msg, address, port, now);
  }

  #onRequest(msg: StunMessage, address: string, port: number, now: number): void {
    if (!checkIntegrity(msg, this.#deps.local.pwd)) {
      this.counters.badIntegrity++;
      return; // RFC 8489 §9.1.3: a bad MESSAGE-INTEGRITY gets no answer
    }
    this.counters.requestsReceived++;
    // RFC 8445 §7.3.1.1: both controlling; we keep the role when our tie-breaker is larger.
    if (msg.iceControlling !== undefined && this.tieBreaker >= msg.iceControlling) {
      this.counters.roleConflicts++;
      this.#deps.send(
        writeStun({
          type: STUN_BINDING_ERROR,
          transactionId: msg.transactionId,
          errorCode: 487,
          password: this.#deps.local.pwd,
        }),
        port,
        address,
      );
      return;
    }
    this.#deps.send(
      writeStun({
        type: STUN_BINDING_SUCCESS,
        transactionId: msg.transactionId,
        xorMappedAddress: { address, port },
        password: this.#deps.local.pwd,
      }),
      port,
      address,
    );
    const key = pairKey(address, port);
    let pair = this.#pairs.get(key);
    if (pair === undefined) {
      if (this.#pairs.size >= MAX_PAIRS) return; // answered, but not checked back
      // RFC 8445 §7.3.1.3: a peer-reflexive candidate learned from the check.
      pair = newPair(address, port, msg.priority ?? PRFLX_PRIORITY, true, false);
      this.#pairs.set(key, pair);
      this.#deps.onPeerAddress?.(address, port);
    } else if (pair.state === 'waiting' || pair.state === 'failed') {
      pair.triggered = true;
      if (pair.state === 'failed') pair.state = 'waiting';
      pair.checks = 0;
    }
    if (this.#state === 'checking' && this.#remote !== undefined) this.tick(now);
  }

  #onResponse(msg: StunMessage, address: string, port: number, now: number): void {
    const tid = msg.transactionId.toString('hex');
    const check = this.#pending.get(tid);
    const pair = check?.pair;
    if (check === undefined || pair === undefined || this.#remote === undefined) {
      this.counters.unmatchedResponses++;
      return;
    }
    if (!checkIntegrity(msg, this.#remote.pwd)) {
      this.counters.badIntegrity++;
      return;
    }
    this.#pending.delete(tid);
    // RFC 8445 §7.2.5.2.1: the response must come from where the check went.
    if (pair.address !== address || pair.port !== port) {
      this.#fail(pair, now);
      return;
    }
    if (msg.type === STUN_BINDING_ERROR) {
      if (msg.errorCode === 487) this.counters.roleConflicts++;
      this.#fail(pair, now);
      return;
    }
    this.counters.checksAnswered++;
    pair.state = 'succeeded';
    if (pair === this.#selected) this.#lastConsentAt = now;
    if (this.#selected !== undefined) return;
    // A nomination is complete when a check carrying USE-CANDIDATE succeeds (RFC 8445 §7.2.5.3.4), a late one on
    // a pair given up for another included: the peer has taken it as nominated.
    if (check.useCandidate) {
      this.#nominated = pair;
      this.#selected = pair;
      this.#lastConsentAt = now;
      this.#nextConsentAt = now + this.#consentInterval();
      this.#deps.onSelected(pair.address, pair.port);
      if (this.#state !== 'connected') this.#setState('connected');
    } else if (this.#nominated === undefined) {
      if (!pair.relayed || !this.#directPending()) this.#nominate(this.#bestValid() ?? pair, now);
      else this.#relayWaitUntil = Math.min(this.#relayWaitUntil, now + RELAY_NOMINATION_DELAY_MS);
    }
  }

  /** Whether a direct (not relayed) pair is still being checked. */
  #directPending(): boolean {
    for (const p of this.#pairs.values())
      if (!p.relayed && (p.state === 'waiting' || p.state === 'inprogress')) return true;
    return false;
  }

  /** The valid pair to nominate (other than `except`): a direct one before a relayed one, then the highest priority. */
  #bestValid(except?: Pair): Pair | undefined {
    let best: Pair | undefined;
    for (const p of this.#pairs.values()) {
      if (p.state !== 'succeeded' || p === except) continue;
      if (
        best === undefined ||
        (best.relayed && !p.relayed) ||
        (best.relayed === p.relayed && p.priority > best.priority)
      )
        best = p;
    }
    return best;
  }

  /**
   * Regular nomination (RFC 8445 §8.1.1): the check repeated on one valid pair with USE-CANDIDATE. One pair at a
   * time: with two nominated (a client's TURN allocations over UDP and TCP answering together) Chromium sent on one
   * and the bridge kept the other, and every packet was dropped as from an address not selected.
   */
  #nominate(pair: Pair, now: number): void {
    this.#nominated = pair;
    this.#relayWaitUntil = Infinity;
    pair.checks = 0;
    this.#sendCheck(pair, now);
  }

  /** A pair failed; when it was the one nominated, the best other valid pair is nominated instead. */
  #fail(pair: Pair, now: number): void {
    pair.state = 'failed';
    if (pair !== this.#nominated) return;
    this.#nominated = undefined;
    const best = this.#bestValid();
    if (best !== undefined && this.#selected === undefined) this.#nominate(best, now);
  }

  /** Drives checks, nomination retries and consent; the media server calls it every checkIntervalMs. */
  tick(now: number): void {
    const remote = this.#remote;
    if (remote === undefined || this.#state === 'closed' || this.#state === 'failed') return;
    if (this.#selected !== undefined) {
      if (now - this.#lastConsentAt > this.#deps.timings.consentTimeoutMs) {
        this.#setState('failed'); // RFC 7675 §5.1: consent lost
        return;
      }
      if (now >= this.#nextConsentAt) {
        this.#nextConsentAt = now + this.#consentInterval();
        this.#sendCheck(this.#selected, now);
      }
      return;
    }
    if (now - this.#startedAt > this.#deps.timings.connectTimeoutMs) {
      this.#setState('failed');
      return;
    }
    if (this.#nominated === undefined && (now >= this.#relayWaitUntil || !this.#directPending())) {
      const valid = this.#bestValid();
      if (valid !== undefined) this.#nominate(valid, now);
    }
    // One check per tick (pacing), triggered checks first, then the highest priority pair due.
    let best: Pair | undefined;
    for (const p of this.#pairs.values()) {
      if (p === this.#nominated && now - p.lastSentAt >= CHECK_RETRY_MS) {
        if (p.checks >= MAX_NOMINATION_CHECKS && this.#bestValid(p) !== undefined) this.#fail(p, now);
        else {
          if (p.checks >= MAX_NOMINATION_CHECKS) p.checks = 0; // the only valid pair: keep trying it
          best ??= p;
        }
        continue;
      }
      if (p.state === 'failed' || p.state === 'succeeded') continue;
      if (p.checks >= MAX_CHECKS_PER_PAIR) {
        p.state = 'failed';
        continue;
      }
      if (p.triggered) {
        best = p;
        break;
      }
      if (now - p.lastSentAt < CHECK_RETRY_MS) continue;
      if (best === undefined || p.priority > best.priority) best = p;
    }
    if (best !== undefined) {
      best.triggered = false;
      this.#sendCheck(best, now);
    }
  }

  #sendCheck(pair: Pair, now: number): void {
    const remote = this.#remote;
    if (remote === undefined) return;
    const tid = randomBytes(12);
    tid.writeUInt32BE(this.#deps.routeId >>> 0, 0);
    const id = tid.toString('hex');
    pair.tids.push(id);
    if (pair.tids.length > KEPT_TRANSACTIONS) this.#pending.delete(pair.tids.shift() ?? '');
    this.#pending.set(id, { pair, useCandidate: pair === this.#nominated });
    pair.checks++;
    pair.lastSentAt = now;
    if (pair.state === 'waiting') pair.state = 'inprogress';
    this.counters.checksSent++;
    const buf = writeStun({
      type: STUN_BINDING_REQUEST,
      transactionId: tid,
      username: `${remote.ufrag}:${this.#deps.local.ufrag}`,
      priority: PRFLX_PRIORITY,
      iceControlling: this.tieBreaker,
      useCandidate: pair === this.#nominated,
      password: remote.pwd,
    });
    this.#deps.send(buf, pair.port, pair.address);
  }

  #consentInterval(): number {
    // RFC 7675 §5.1: about every 5 s, randomised; faster when the timeout is configured short.
    const base = Math.min(5000, this.#deps.timings.consentTimeoutMs / 5);
    return base * (0.8 + Math.random() * 0.4);
  }

  #setState(state: IceState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#deps.onStateChange(state);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#pending.clear();
    this.#pairs.clear();
    this.#selected = undefined;
    this.#nominated = undefined;
    this.#setState('closed');
  }
}

function pairKey(address: string, port: number): string {
  return `${address}|${port}`;
}

function newPair(address: string, port: number, priority: number, triggered: boolean, relayed: boolean): Pair {
  return {
    address,
    port,
    priority,
    state: 'waiting',
    checks: 0,
    lastSentAt: -Infinity,
    tids: [],
    triggered,
    relayed,
  };
}
