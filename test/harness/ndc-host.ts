import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { NdcCommand } from './ndc-host-child.js';

/** What one peer received so far, by sender nick. */
export interface NdcStats {
  open: boolean;
  from: Record<string, { count: number; ssrcs: number[] }>;
}

/**
 * node-datachannel peers run in a child process (test/harness/ndc-host-child.ts), driven over IPC. libdatachannel
 * 0.33 can abort or hang in cleanup() once a peer's remote side vanished; in a child that cannot take the test
 * runner down, and stop() simply kills it.
 */
export class NdcHost {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #seq = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (raw: unknown) => {
      const m = raw as { seq: number; result?: unknown; error?: string };
      const p = this.#pending.get(m.seq);
      if (p === undefined) return;
      this.#pending.delete(m.seq);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`ndc host exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  static async start(): Promise<NdcHost> {
    const child = fork(join(import.meta.dirname, 'ndc-host-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host = new NdcHost(child);
    await new Promise<void>((resolve, reject) => {
      host.#pending.set(0, { resolve: () => resolve(), reject });
    });
    return host;
  }

  request<T>(command: NdcCommand): Promise<T> {
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: (v) => resolve(v as T), reject });
      this.#child.send({ seq, command });
    });
  }

  /** Fire and forget (sending RTP). */
  post(command: NdcCommand): void {
    if (this.#child.connected) this.#child.send({ seq: -1, command });
  }

  stop(): void {
    this.#child.kill('SIGKILL');
  }
}
