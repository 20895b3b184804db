// Threat: a participant sends the bridge garbage over its own (authenticated) DTLS association: bytes that are not
// SCTP, SCTP that is not DCEP, messages on streams nobody opened, a message over the size limit, a flood. The
// bridge must drop and count each, never crash, and hold the SCTP bridge channel to the limits colibri-ws has.
// Mallory is a raw peer with the bridge's own DTLS and werift's SCTP as a client, so every byte is hers to choose.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { SCTP, type Transport } from 'werift-sctp';
import { MediaServer, type Conference, type Endpoint } from '@convene/bridge/conference';
import { ChannelHub, serveSctpChannel, type ChannelEndpoint } from '@convene/bridge/channel';
import { DtlsSession, type DtlsSessionDeps } from '@convene/bridge/dtls';
import { PPID_DCEP, PPID_STRING, dcepOpen } from '@convene/bridge/sctp';
import { RawMediaPeer } from '../harness/media-raw-peer.js';
import { waitUntil } from '../harness/wait-for.js';

const LIMITS = { maxMessageBytes: 4096, messagesPerSecond: 20, bytesPerSecond: 65_536, maxSendBacklogBytes: 1 << 20 };

/** A participant's record as the channel hub sees it (the Colibri2 side's, in the bridge). */
function channelEndpoint(id: string): ChannelEndpoint & { close(): void } {
  const listeners = new Set<() => void>();
  const ep = {
    id,
    conferenceId: 'sctp-abuse',
    password: 'unused',
    closed: false,
    videoSourceNames: [`${id}-v0`],
    videoTypes: new Map<string, string>(),
    setReceiverVideoConstraints: () => undefined,
    setLastN: () => undefined,
    setVideoType: () => undefined,
    on(_name: 'close', fn: () => void) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    close() {
      ep.closed = true;
      for (const fn of listeners) fn();
    },
  };
  return ep;
}

/** Mallory: DTLS client to her endpoint, with werift's SCTP client over it and a way to write raw records. */
class Mallory {
  readonly received: string[] = [];
  readonly peer: RawMediaPeer;
  dtls: DtlsSession | undefined;
  readonly sctp: SCTP;
  channelClosed = false;

  private constructor(peer: RawMediaPeer, holder: { session?: DtlsSession }, transport: Transport) {
    this.peer = peer;
    this.sctp = SCTP.client(transport, 5000);
    Object.defineProperty(this, 'dtls', { get: () => holder.session });
    this.sctp.onReceive.subscribe((_stream, ppid, data) => {
      if (ppid === PPID_STRING) this.received.push(data.toString('utf8'));
    });
    this.sctp.onReconfigStreams.subscribe(() => (this.channelClosed = true));
  }

  static async create(): Promise<Mallory> {
    const holder: { session?: DtlsSession } = {};
    const transport: Transport = {
      send: (buf) => {
        holder.session?.write(buf);
        return Promise.resolve();
      },
      close: () => {},
    };
    const peer = await RawMediaPeer.create({
      dtls: (deps: DtlsSessionDeps) => {
        holder.session = new DtlsSession({
          ...deps,
          onAppData: (buf) => {
            transport.onData?.(buf);
            return true;
          },
        });
        return holder.session;
      },
    });
    return new Mallory(peer, holder, transport);
  }

  /** One raw DTLS application data record: whatever bytes she likes where SCTP belongs. */
  raw(bytes: Buffer): void {
    this.dtls!.write(bytes);
  }

  close(): void {
    void this.sctp.stop();
    this.peer.close();
  }
}

describe('SCTP bridge channel under bad input', () => {
  let server: MediaServer;
  let conference: Conference;
  let endpoint: Endpoint;
  let mallory: Mallory;
  const hub = new ChannelHub({
    directory: { findEndpoint: () => undefined, forwardedSources: () => ['alice-v0'] },
    version: 'test',
    log: pino({ level: 'silent' }),
    limits: LIMITS,
  });
  const record = channelEndpoint('mallory');

  beforeAll(async () => {
    server = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1', allowLocalCandidates: true });
    conference = server.createConference('sctp-abuse');
    endpoint = conference.createEndpoint('mallory');
    serveSctpChannel(hub, record, (listener) => endpoint.acceptSctp(listener));
    mallory = await Mallory.create();
    mallory.peer.connect(endpoint.localTransport());
    endpoint.setRemoteTransport(mallory.peer.transport());
    await waitUntil('mallory keyed', () => mallory.peer.ready && endpoint.dtlsState === 'connected', 20_000);
  });

  afterAll(() => {
    mallory?.close();
    server?.close();
  });

  it('drops and counts records that are not SCTP, and SCTP that is not well formed', async () => {
    const c = endpoint.counters;
    for (let i = 0; i < 50; i++) mallory.raw(randomBytes(1 + (i % 40) * 30));
    mallory.raw(Buffer.alloc(11)); // shorter than an SCTP common header
    const badCrc = Buffer.alloc(32);
    badCrc.writeUInt16BE(5000, 0);
    badCrc.writeUInt16BE(5000, 2);
    mallory.raw(badCrc);
    await waitUntil('every record counted', () => c.dropSctpMalformed >= 52, 10_000);
    expect(c.sctpPacketsIn).toBeGreaterThanOrEqual(52);
    expect(endpoint.closed).toBe(false);
  });

  it('opens the channel after all that, drops bad DCEP and messages on unopened streams', async () => {
    await mallory.sctp.start(5000);
    await waitUntil('SCTP association up', () => mallory.sctp.state === 'connected', 10_000);
    const c = endpoint.counters;
    await mallory.sctp.send(3, PPID_DCEP, Buffer.from([0x03, 0, 0, 0])); // an OPEN cut short
    await mallory.sctp.send(3, PPID_DCEP, Buffer.from([0x07])); // no such DCEP message
    await mallory.sctp.send(5, PPID_STRING, Buffer.from('{"colibriClass":"ClientHello"}')); // no channel yet
    await waitUntil('bad DCEP and the stray message counted', () => c.dropSctpDcep >= 2 && c.dropSctpNoChannel >= 1);
    const open = { channelType: 0, priority: 0, reliability: 0, label: 'JVB data channel', protocol: 'x' };
    await mallory.sctp.send(1, PPID_DCEP, dcepOpen(open));
    await waitUntil('ServerHello and ForwardedSources', () => mallory.received.length >= 2, 10_000);
    expect(mallory.received.map((m) => (JSON.parse(m) as { colibriClass: string }).colibriClass)).toEqual([
      'ServerHello',
      'ForwardedSources',
    ]);
    // A second channel: JVB allows one per endpoint.
    await mallory.sctp.send(7, PPID_DCEP, dcepOpen({ ...open, label: 'another' }));
    await waitUntil('the second OPEN refused', () => c.dropSctpDcep >= 3);
    expect(hub.opened.sctp).toBe(1);
  });

  it('applies the channel limits: binary and junk are counted, a flood is dropped, then the channel is cut', async () => {
    await mallory.sctp.send(1, 53, Buffer.from([1, 2, 3])); // binary: the bridge channel is text
    await mallory.sctp.send(1, PPID_STRING, Buffer.from('not json'));
    await waitUntil('binary and malformed counted', () => hub.drops.binary >= 1 && hub.drops.malformed >= 1);
    for (let i = 0; i < 400 && !mallory.channelClosed; i++)
      await mallory.sctp.send(1, PPID_STRING, Buffer.from('{"colibriClass":"ClientHello"}'));
    await waitUntil('the bridge to cut the flooding channel', () => mallory.channelClosed, 10_000);
    expect(hub.drops['rate-limited']).toBeGreaterThan(0);
    expect(hub.closes['rate-limited']).toBe(1);
    expect(hub.connectionCount).toBe(0);
    expect(endpoint.closed).toBe(false);
  });
});

describe('SCTP bridge channel size limit', () => {
  it('cuts a channel that sends a message over the limit, as colibri-ws does with 1009', async () => {
    const server = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1', allowLocalCandidates: true });
    const hub = new ChannelHub({
      directory: { findEndpoint: () => undefined, forwardedSources: () => [] },
      version: 'test',
      log: pino({ level: 'silent' }),
      limits: LIMITS,
    });
    const endpoint = server.createConference('sctp-size').createEndpoint('mallory');
    serveSctpChannel(hub, channelEndpoint('mallory'), (l) => endpoint.acceptSctp(l));
    const mallory = await Mallory.create();
    try {
      mallory.peer.connect(endpoint.localTransport());
      endpoint.setRemoteTransport(mallory.peer.transport());
      await waitUntil('mallory keyed', () => mallory.peer.ready, 20_000);
      await mallory.sctp.start(5000);
      await waitUntil('SCTP association up', () => mallory.sctp.state === 'connected', 10_000);
      const open = { channelType: 0, priority: 0, reliability: 0, label: 'JVB data channel', protocol: '' };
      await mallory.sctp.send(1, PPID_DCEP, dcepOpen(open));
      await waitUntil('ServerHello', () => mallory.received.length >= 1, 10_000);
      await mallory.sctp.send(1, PPID_STRING, Buffer.alloc(LIMITS.maxMessageBytes + 1, 0x20));
      await waitUntil('the bridge to cut the channel', () => mallory.channelClosed, 10_000);
      expect(hub.drops['too-large']).toBe(1);
      expect(hub.closes['too-large']).toBe(1);
      expect(endpoint.closed).toBe(false);
    } finally {
      mallory.close();
      server.close();
    }
  });
});
