import { TokenBucket } from './token-bucket.js';

/** Per-endpoint limits of the bridge channel (config keys `channel*`). */
export interface ChannelLimits {
  /** Largest message accepted; ws closes the channel with 1009 beyond it. */
  maxMessageBytes: number;
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** Unsent bytes queued for one channel beyond which the bridge cuts it off. */
  maxSendBacklogBytes: number;
}

/** JVB's message size limit is Jetty's default; ours is what lib-jitsi-meet needs with room to spare. */
export const DEFAULT_CHANNEL_LIMITS: ChannelLimits = {
  maxMessageBytes: 16_384,
  messagesPerSecond: 20,
  bytesPerSecond: 65_536,
  maxSendBacklogBytes: 1_048_576,
};

/** Buckets hold this many seconds of the rate: a client may burst (a layout change, a reaction storm). */
const BURST_SECONDS = 5;

export type Admission = 'accept' | 'drop' | 'close';

/**
 * The inbound budget of one endpoint's channel: messages and bytes, each a token bucket. A message over budget is
 * dropped; drops fill a third bucket that drains at the message rate, and when it is full (a burst's worth of drops
 * beyond the budget) the sender is abusing the channel and is closed. Kept per endpoint, not per socket, so
 * reconnecting does not refill it.
 */
export class ChannelLimiter {
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;
  /** Drops, draining at the message rate: a client that slows down to its budget is forgiven. */
  #strikes = 0;
  #strikesAt: number;
  readonly #strikeLimit: number;
  readonly #strikeLeakPerMs: number;

  constructor(limits: ChannelLimits, nowMs: number) {
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messagesPerSecond * BURST_SECONDS, nowMs);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond * BURST_SECONDS, nowMs);
    this.#strikeLimit = limits.messagesPerSecond * BURST_SECONDS;
    this.#strikeLeakPerMs = limits.messagesPerSecond / 1000;
    this.#strikesAt = nowMs;
  }

  admit(bytes: number, nowMs: number): Admission {
    if (this.#messages.take(1, nowMs)) {
      if (this.#bytes.take(bytes, nowMs)) return 'accept';
      this.#messages.give(1, nowMs); // not let through, so not spent
    }
    const elapsed = Math.max(0, nowMs - this.#strikesAt);
    this.#strikesAt = nowMs;
    this.#strikes = Math.max(0, this.#strikes - elapsed * this.#strikeLeakPerMs) + 1;
    return this.#strikes > this.#strikeLimit ? 'close' : 'drop';
  }
}
