import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { ConveneError } from '@convene/protocol/lib';

export interface ChildServiceOptions {
  name: string;
  /** TypeScript entry point, run with tsx like `npm start` runs everything. */
  entry: string;
  env: Record<string, string>;
  pathVar: string;
  log: Logger;
  /** The child's log message that means it is ready. */
  readyMsg: string;
  readyTimeoutMs?: number;
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * A Convene process of the local stack. Its JSON log lines are re-logged through the stack's logger (so a
 * terminal shows one readable line per event, tagged with the service); it is ready when it logs `readyMsg`.
 */
export class ChildService {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly exited: Promise<number | null>;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(o: ChildServiceOptions): Promise<ChildService> {
    // setpriv execs in place with PR_SET_PDEATHSIG: if the stack dies without stopping its children (killed,
    // its terminal gone), each is killed with it instead of running on as an orphan (Prosody goes the same way).
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, '--import', 'tsx', o.entry], {
      env: { PATH: o.pathVar, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C reaches the stack, which stops children in order.
      detached: true,
    });
    const service = new ChildService(o.name, child);
    const log = o.log.child({ service: o.name });
    let ready: (() => void) | undefined;
    const readyPromise = new Promise<void>((resolve) => (ready = resolve));
    const onLine = (line: string) => {
      if (!line.startsWith('{')) {
        if (line.trim() !== '') log.info(line);
        return;
      }
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        log.info(line);
        return;
      }
      const { level, msg, ...fields } = entry;
      for (const key of ['time', 'pid', 'hostname']) delete fields[key];
      log[LEVELS[Number(level)] ?? 'info'](fields, typeof msg === 'string' ? msg : '');
      if (msg === o.readyMsg) ready?.();
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    const timeoutMs = o.readyTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      readyPromise.then(() => 'ready' as const),
      service.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome !== 'ready') {
      await service.close();
      throw new ConveneError(
        `${o.name}-start-failed`,
        `${o.name} ${outcome === 'exited' ? 'exited during startup' : 'was not ready in time'}`,
      );
    }
    return service;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
