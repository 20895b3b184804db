import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ChildRpc } from './child-rpc.js';
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
  readonly #rpc: ChildRpc<NdcCommand>;

  private constructor(child: ChildProcess) {
    this.#rpc = new ChildRpc(child, 'ndc host');
  }

  static async start(): Promise<NdcHost> {
    const child = fork(join(import.meta.dirname, 'ndc-host-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host = new NdcHost(child);
    await host.#rpc.ready();
    return host;
  }

  request<T>(command: NdcCommand): Promise<T> {
    return this.#rpc.request<T>(command);
  }

  /** Fire and forget (sending RTP). */
  post(command: NdcCommand): void {
    this.#rpc.post(command);
  }

  stop(): void {
    this.#rpc.child.kill('SIGKILL');
  }
}
