// Requests to a forked helper process over IPC: `{ seq, command }` out, `{ seq, result | error }` back; the child
// sends seq 0 once it is ready. Used by the node-datachannel host and the network-namespace peers.
import type { ChildProcess } from 'node:child_process';

export class ChildRpc<C> {
  readonly child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #seq = 0;

  /** `name` says whose exit failed the requests still waiting. */
  constructor(child: ChildProcess, name: string) {
    this.child = child;
    child.on('message', (raw: unknown) => {
      const m = raw as { seq: number; result?: unknown; error?: string };
      const p = this.#pending.get(m.seq);
      if (p === undefined) return;
      this.#pending.delete(m.seq);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  /** Resolves when the child says it is ready. */
  ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#pending.set(0, { resolve: () => resolve(), reject }));
  }

  request<T>(command: C): Promise<T> {
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: (v) => resolve(v as T), reject });
      this.child.send({ seq, command });
    });
  }

  /** Fire and forget. */
  post(command: C): void {
    if (this.child.connected) this.child.send({ seq: -1, command });
  }
}
