import type { Logger } from 'pino';
import { RestartPolicy } from './restart-policy.js';

/** A started process the supervisor can watch: Prosody or a ChildService. */
export interface Supervisable {
  readonly pid: number | undefined;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  close(): Promise<void>;
}

export interface SupervisedServiceDeps<T extends Supervisable> {
  name: string;
  start: () => Promise<T>;
  log: Logger;
  policy?: RestartPolicy;
  /** Called once when the service failed more often than the policy allows; it is not started again. */
  onGaveUp: (name: string) => void;
}

/**
 * One service of the local stack, restarted like systemd's `Restart=on-failure`: a non-zero exit or a signal
 * starts it again after the policy's delay; a clean exit (code 0) does not; past the start limit it gives up.
 */
export class SupervisedService<T extends Supervisable> {
  readonly name: string;
  readonly #deps: SupervisedServiceDeps<T>;
  readonly #policy: RestartPolicy;
  #current: T;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #restarting: Promise<void> | undefined;

  private constructor(deps: SupervisedServiceDeps<T>, first: T) {
    this.name = deps.name;
    this.#deps = deps;
    this.#policy = deps.policy ?? new RestartPolicy();
    this.#current = first;
  }

  /** Starts the service the first time; a failure here is the caller's (the stack does not start). */
  static async start<T extends Supervisable>(deps: SupervisedServiceDeps<T>): Promise<SupervisedService<T>> {
    const service = new SupervisedService(deps, await deps.start());
    deps.log.info({ service: deps.name, childPid: service.#current.pid }, 'service started');
    service.#watch(service.#current);
    return service;
  }

  /** The running instance (a new one after each restart). */
  get current(): T {
    return this.#current;
  }

  #watch(instance: T): void {
    void instance.exited.then((code) => {
      if (this.#closed || instance !== this.#current) return;
      const log = this.#deps.log;
      if (code === 0) {
        log.warn({ service: this.name }, 'service exited cleanly; not restarting');
        return;
      }
      log.error({ service: this.name, childPid: instance.pid, code }, 'service exited unexpectedly');
      this.#scheduleRestart();
    });
  }

  #scheduleRestart(): void {
    const { options } = this.#policy;
    const delayMs = this.#policy.next(Date.now());
    if (delayMs === undefined) {
      this.#deps.log.error(
        { service: this.name, restarts: options.burst, intervalMs: options.intervalMs },
        'service failed too often; giving up',
      );
      this.#deps.onGaveUp(this.name);
      return;
    }
    const restart = this.#policy.recent(Date.now());
    this.#deps.log.warn({ service: this.name, delayMs, restart, of: options.burst }, 'restarting service');
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#restarting = this.#restart(restart);
    }, delayMs);
  }

  async #restart(restart: number): Promise<void> {
    try {
      // The old instance has exited; close() still removes what it leaves behind (Prosody's directory).
      await this.#current.close();
      const next = await this.#deps.start();
      if (this.#closed) {
        await next.close();
        return;
      }
      this.#current = next;
      this.#deps.log.info({ service: this.name, childPid: next.pid, restart }, 'service restarted');
      this.#watch(next);
    } catch (err) {
      if (this.#closed) return;
      this.#deps.log.error({ service: this.name, err }, 'service restart failed');
      this.#scheduleRestart();
    } finally {
      this.#restarting = undefined;
    }
  }

  /** Stops the service and any restart under way; it is not started again. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#restarting;
    await this.#current.close();
  }
}
