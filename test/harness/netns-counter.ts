// A UDP counter inside a network namespace (test/harness/netns-peer.ts): how many datagrams reached a port there.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Netns } from './netns-peer.js';
import { waitUntil } from './wait-for.js';

/** Binds `port` on the namespace's address and reports how many datagrams it got, every 100 ms. */
export class CounterInNamespace {
  readonly #child: ChildProcessWithoutNullStreams;
  count = 0;

  constructor(ns: Netns, port: number) {
    const script = [
      "const s = require('node:dgram').createSocket('udp4');",
      'let n = 0;',
      's.on("message", () => n++);',
      `s.bind(${port}, '${ns.address}');`,
      'setInterval(() => process.stdout.write(n + "\\n"), 100);',
    ].join('');
    this.#child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script]);
    this.#child.stdout.on('data', (d: Buffer) => {
      const last = d.toString().trim().split('\n').pop();
      if (last !== undefined && last !== '') this.count = Number(last);
    });
  }

  /** Until a probe datagram (`probe` sends one) arrives: the counter is bound and counting. */
  async ready(probe: () => void): Promise<void> {
    await waitUntil(
      'the counter in the namespace',
      () => {
        probe();
        return this.count > 0;
      },
      10_000,
      100,
    );
  }

  stop(): void {
    this.#child.kill('SIGKILL');
  }
}
