// GSO on a small-MTU route (issue 19): the native socket sends a batch's equal-sized packets to one destination as
// one UDP_SEGMENT send. On a route whose MTU is smaller than a segment plus its headers (a tunnel, a VPN) the kernel
// refuses such a group (EMSGSIZE), where the same datagrams sent one by one are fragmented and delivered. The socket
// then sends them one by one, stops grouping packets that large, and still groups smaller ones. Root only.
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { openUdp, type PacketSocket } from '@convene/bridge/transport';
import { Netns, netnsUnavailable } from '../../harness/netns-peer.js';
import { CounterInNamespace } from '../../harness/netns-counter.js';
import { nativeUdpAvailable } from '../../harness/udp-implementations.js';
import { waitUntil } from '../../harness/wait-for.js';

const unavailable = netnsUnavailable() ?? (nativeUdpAvailable ? undefined : 'the native UDP socket is not built');
if (unavailable !== undefined) console.warn(`test/integration/network/gso-mtu skipped: ${unavailable}`);
const describeNetns = unavailable === undefined ? describe : describe.skip;

const PORT = 40_001;
const MTU = 1400;
/** 1380 + 8 (UDP) + 20 (IPv4) = 1408: over the MTU as one segment of a group, fragmented when sent alone. */
const BIG = 1380;
const SMALL = 1000;

describeNetns('the native socket on a route with a small MTU', () => {
  let ns: Netns;
  let counter: CounterInNamespace;
  let socket: PacketSocket;
  let trigger: Socket;
  let batches = 0;
  let queue: number[] = [];

  /** One batch in which the handler queues a datagram of each of `sizes` to the namespace. */
  async function batch(sizes: number[]): Promise<void> {
    queue = sizes;
    const before = batches;
    trigger.send(Buffer.from('go'), socket.port, ns.hostAddress);
    await waitUntil('the batch handled', () => batches === before + 1, 5_000, 10);
  }

  beforeAll(async () => {
    ns = new Netns(9);
    execFileSync('ip', ['link', 'set', 'dev', ns.hostDev, 'mtu', String(MTU)]);
    counter = new CounterInNamespace(ns, PORT);
    ({ socket } = await openUdp('native', { port: 0, bindAddress: ns.hostAddress }));
    socket.setHandler(() => {
      batches++;
      for (const size of queue) socket.send(Buffer.alloc(size, 7), 0, size, PORT, ns.address);
    });
    trigger = createSocket('udp4');
    await new Promise<void>((r) => trigger.bind(0, ns.hostAddress, r));
    await counter.ready(() => socket.send(Buffer.alloc(10), 0, 10, PORT, ns.address));
  });

  afterAll(() => {
    counter?.stop();
    socket?.close();
    trigger?.close();
    ns?.remove();
  });

  it('delivers a group the route refuses one datagram at a time, and keeps grouping smaller packets', async () => {
    await new Promise((r) => setTimeout(r, 300)); // probes before the counter bound are gone: a settled count
    const start = { got: counter.count, errors: socket.counters.sendErrors, gso: socket.counters.gsoSegments };

    await batch(new Array<number>(8).fill(BIG));
    await waitUntil('the first eight large ones', () => counter.count === start.got + 8, 5_000, 50);
    // Learned: large ones are no longer grouped (no refused group again); they still arrive.
    await batch(new Array<number>(8).fill(BIG));
    await waitUntil('the second eight', () => counter.count === start.got + 16, 5_000, 50);
    expect(socket.counters.gsoSegments).toBe(start.gso);

    // Smaller packets to the same destination still leave as one segmented send.
    await batch(new Array<number>(8).fill(SMALL));
    await waitUntil('eight small ones', () => counter.count === start.got + 24, 5_000, 50);
    expect(socket.counters.gsoSegments).toBe(start.gso + 8);
    expect(socket.counters.sendErrors).toBe(start.errors);
    await new Promise((r) => setTimeout(r, 300));
    expect(counter.count).toBe(start.got + 24); // nothing twice
  }, 30_000);
});
