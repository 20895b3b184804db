import type { Logger } from 'pino';
import type { MediaServer } from './media-server.js';

const EXIT_DELAY_MS = 200;

export interface BridgeLifecycleDeps {
  media: MediaServer;
  log: Logger;
  /** Something the focus should see at once changed (drain, graceful shutdown, shutting down). */
  onStateChange(): void;
  /** The last conference is gone after a graceful shutdown, or an immediate one was asked for: stop the process. */
  exit(): void;
}

/** Drain and shutdown state (JVB: drain mode, graceful shutdown, shutting down). */
export class BridgeLifecycle {
  readonly #deps: BridgeLifecycleDeps;
  #drain = false;
  #shuttingDown = false;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: BridgeLifecycleDeps) {
    this.#deps = deps;
  }

  get drain(): boolean {
    return this.#drain;
  }

  get gracefulShutdown(): boolean {
    return this.#deps.media.gracefulShutdown;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Draining bridges get new conferences only when no other bridge can take them (PROTOCOL.md §6). */
  setDrain(on: boolean): void {
    if (this.#drain === on) return;
    this.#drain = on;
    this.#deps.log.info({ drain: on }, 'drain mode changed');
    this.#deps.onStateChange();
  }

  /** Graceful: refuse new conferences, exit when the last one ends. Otherwise exit now. */
  shutdown(graceful: boolean): void {
    if (this.#shuttingDown) return;
    const { media, log } = this.#deps;
    if (!graceful) {
      log.warn({ conferences: media.conferences.size }, 'shutdown requested: exiting now');
      this.#finish();
      return;
    }
    media.startGracefulShutdown();
    if (media.conferences.size === 0) {
      this.#finish();
      return;
    }
    this.#unsubscribe ??= media.on('change', () => {
      if (media.conferences.size === 0) this.#finish();
    });
  }

  #finish(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#unsubscribe?.();
    this.#deps.log.info('shutting down');
    this.#deps.onStateChange();
    // The request that expired the last conference is still being answered: let the reply and the
    // shutting_down presence go out first.
    setTimeout(() => this.#deps.exit(), EXIT_DELAY_MS);
  }
}
