// Process plumbing of the bench: CPU, RSS and run-queue wait of a process from /proc, request/response over a
// child's IPC channel, and polling.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100; // getconf CLK_TCK on Linux/x86-64

/** utime + stime (µs), of it stime (the kernel's, µs), and RSS (bytes) of a process, from /proc/<pid>/stat. */
export function procStat(pid: number): { cpuUs: number; sysUs: number; rssBytes: number } {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime 15, rss (pages) 24.
  const sys = Number(rest[12]);
  const ticks = Number(rest[11]) + sys;
  return { cpuUs: (ticks * 1e6) / CLK_TCK, sysUs: (sys * 1e6) / CLK_TCK, rssBytes: Number(rest[21]) * 4096 };
}

/** Nanoseconds a process's threads have run and waited runnable for a CPU, from /proc/<pid>/task/<tid>/schedstat. */
export function procSched(pid: number): { runNs: number; waitNs: number } {
  let runNs = 0;
  let waitNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      runNs += Number(run);
      waitNs += Number(wait);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { runNs, waitNs };
}

/** Request/response over a child's IPC channel; `fifo` for a child that answers in order without ids. */
export class Rpc {
  readonly child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #fifo: boolean;
  #next = 0;

  constructor(child: ChildProcess, fifo: boolean) {
    this.child = child;
    this.#fifo = fifo;
    child.on('message', (raw: unknown) => {
      const m = raw as { id?: number; result?: unknown; error?: string };
      const id = fifo ? this.#pending.keys().next().value : m.id;
      if (id === undefined) return;
      const p = this.#pending.get(id);
      if (p === undefined) return;
      this.#pending.delete(id);
      const error = fifo ? (m as { error?: string }).error : m.error;
      if (error !== undefined) p.reject(new Error(error));
      else p.resolve(fifo ? raw : m.result);
    });
    child.on('exit', (code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`child exited with ${code}`));
      this.#pending.clear();
    });
  }

  call<T>(msg: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send(this.#fifo ? msg : { id, msg }, (err) => err && reject(err));
    });
  }
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asks a child to close, and kills it if it has not gone within 5 s. */
export function closeChild(r: Rpc): Promise<void> {
  return new Promise<void>((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      r.child.kill('SIGKILL');
      resolve();
    }, 5_000);
    r.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    r.call({ cmd: 'close' }).catch(() => undefined);
  });
}
