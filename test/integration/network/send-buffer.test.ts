// Back-pressure on the native socket (issue 19): a destination behind a slow link (tc tbf on a veth into a namespace)
// fills the socket's send buffer. The socket never waits and never queues without bound: what the kernel refuses is
// dropped and counted (`sendBufferFull`), alone and inside a batch (sendmmsg), every datagram is either delivered or
// counted, and once the link drains the same socket sends to everyone again. Root only (namespaces, tc).
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { openUdp, type PacketSocket } from '@convene/bridge/transport';
import { Netns, netnsUnavailable } from '../../harness/netns-peer.js';
import { CounterInNamespace } from '../../harness/netns-counter.js';
import { nativeUdpAvailable } from '../../harness/udp-implementations.js';
import { waitUntil } from '../../harness/wait-for.js';

const unavailable = netnsUnavailable() ?? (nativeUdpAvailable ? undefined : 'the native UDP socket is not built');
if (unavailable !== undefined) console.warn(`test/integration/network/send-buffer skipped: ${unavailable}`);
const describeNetns = unavailable === undefined ? describe : describe.skip;

const PORT = 40_000;
const SIZE = 1000;

const datagram = (i: number) => Buffer.alloc(SIZE, i & 0xff);
const delivered = (s: PacketSocket) => s.counters.datagramsOut - s.counters.sendBufferFull - s.counters.sendErrors;

describeNetns('the native socket under a full send buffer', () => {
  let ns: Netns;
  let counter: CounterInNamespace;
  let socket: PacketSocket;
  let other: Socket;
  let otherGot = 0;

  beforeAll(async () => {
    ns = new Netns(5);
    // 200 kbit/s with a queue of five seconds (129 kB): longer than the socket's small send buffer, so the kernel
    // refuses sends (EAGAIN) before the qdisc would drop anything, a batch's GSO send of 64 kB included.
    execFileSync('tc', [
      ...['qdisc', 'replace', 'dev', ns.hostDev, 'root', 'tbf'],
      ...['rate', '200kbit', 'burst', '4kb', 'latency', '5s'],
    ]);
    counter = new CounterInNamespace(ns, PORT);
    ({ socket } = await openUdp('native', { port: 0, bindAddress: ns.hostAddress, bufferBytes: 4096 }));
    other = createSocket('udp4');
    other.on('message', () => otherGot++);
    await new Promise<void>((r) => other.bind(0, ns.hostAddress, r));
    // The counter is up when a datagram sent now arrives.
    await counter.ready(() => socket.send(datagram(0), 0, 10, PORT, ns.address));
  });

  afterAll(() => {
    counter?.stop();
    socket?.close();
    other?.close();
    ns?.remove();
  });

  it('drops and counts what the kernel refuses, alone and in a batch, and sends to everyone once drained', async () => {
    // Probes sent before the counter was bound are gone (port unreachable): start from a settled count.
    await new Promise((r) => setTimeout(r, 500));
    const before = { full: socket.counters.sendBufferFull, delivered: delivered(socket), got: counter.count };
    // Alone (sendto): far more than the buffer holds, in one turn of the event loop.
    for (let i = 0; i < 200; i++) socket.send(datagram(i), 0, SIZE, PORT, ns.address);
    const aloneFull = socket.counters.sendBufferFull - before.full;
    expect(aloneFull).toBeGreaterThan(0);
    expect(aloneFull).toBeLessThan(200); // the first ones went

    // In a batch (sendmmsg at its end): a datagram to the socket makes its handler queue 200 more.
    let batches = 0;
    socket.setHandler(() => {
      batches++;
      for (let i = 0; i < 200; i++) socket.send(datagram(i), 0, SIZE, PORT, ns.address);
    });
    const fullBeforeBatch = socket.counters.sendBufferFull;
    other.send(Buffer.from('go'), socket.port, ns.hostAddress);
    await waitUntil('the batch handled', () => batches === 1, 5_000, 20);
    expect(socket.counters.sendBufferFull - fullBeforeBatch).toBeGreaterThan(100);

    // Every datagram was delivered or counted: the namespace gets exactly what the counters say went.
    const expected = before.got + delivered(socket) - before.delivered;
    const tc = () => execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', ns.hostDev], { encoding: 'utf8' });
    await waitUntil(`the namespace to receive ${expected}`, () => counter.count >= expected, 20_000, 100).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}: got ${counter.count}; socket ${JSON.stringify(socket.counters)}; ${tc()}`);
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(counter.count).toBe(expected);
    expect(tc()).toMatch(/dropped 0,/); // the link dropped nothing: what is missing, the socket counted

    // Drained: the same socket sends again, to the slow destination and to another one, and nothing is refused.
    const fullAfter = socket.counters.sendBufferFull;
    socket.send(datagram(1), 0, SIZE, PORT, ns.address);
    for (let i = 0; i < 3; i++)
      socket.send(datagram(i), 0, 100, (other.address() as { port: number }).port, ns.hostAddress);
    await waitUntil('the other destination gets its three', () => otherGot === 3, 5_000, 20);
    await waitUntil('the slow one its one', () => counter.count === expected + 1, 5_000, 50);
    expect(socket.counters.sendBufferFull).toBe(fullAfter);
    process.stdout.write(
      `send buffer full: ${aloneFull} of 200 refused alone, ${fullAfter - fullBeforeBatch} of 200 in a batch; ` +
        `${expected - before.delivered} delivered through 200 kbit/s\n`,
    );
  }, 60_000);
});
