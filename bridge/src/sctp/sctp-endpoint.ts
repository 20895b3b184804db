// The bridge's end of one endpoint's SCTP association (RFC 8261: SCTP over the DTLS association) and its one
// WebRTC data channel (RFC 8831/8832): the bridge is the SCTP server on port 5000 (PROTOCOL.md §7.3); the client
// opens the channel in-band (DATA_CHANNEL_OPEN) and the bridge answers DATA_CHANNEL_ACK on the same stream.
// SCTP itself is werift's (npm werift-sctp); what is ours is feeding it packets, DCEP, and the limits.
import { SCTP } from 'werift-sctp';
import type { Transport } from 'werift-sctp';
import {
  PPID_BINARY,
  PPID_BINARY_EMPTY,
  PPID_DCEP,
  PPID_STRING,
  PPID_STRING_EMPTY,
  dcepAck,
  parseDcep,
} from './dcep.js';

/** Both ends use 5000 (`a=sctp-port:5000`); JVB refuses any other. */
export const SCTP_PORT = 5000;

/** What the association counted: fields of the endpoint's counters, which it adds to (read at scrape time). */
export interface SctpCounters {
  sctpPacketsIn: number;
  sctpPacketsOut: number;
  /** Packets werift refused: a bad checksum, a truncated chunk, an INIT bundled with other chunks. */
  dropSctpMalformed: number;
  /** DCEP messages that did not parse or were not an OPEN, and a second OPEN (JVB allows one channel). */
  dropSctpDcep: number;
  /** User messages on a stream with no open channel, or with a payload protocol id not string or binary. */
  dropSctpNoChannel: number;
  /** The peer went past the receive window the bridge advertised: the association is aborted. */
  dropSctpWindow: number;
}

export function newSctpCounters(): SctpCounters {
  return {
    sctpPacketsIn: 0,
    sctpPacketsOut: 0,
    dropSctpMalformed: 0,
    dropSctpDcep: 0,
    dropSctpNoChannel: 0,
    dropSctpWindow: 0,
  };
}

export interface SctpEndpointDeps {
  counters: SctpCounters;
  /** Sends one SCTP packet as DTLS application data; false when DTLS is not connected. */
  write: (packet: Buffer) => boolean;
  /** The channel is open (the ACK is on its way). */
  onOpen: (label: string, protocol: string) => void;
  /** One message of the open channel: text for PPID 51/56, bytes for 53/57. */
  onMessage: (data: string | Buffer) => void;
  /** The channel closed (stream reset, association closed or aborted). */
  onClose: () => void;
  /** A bug, not bad input: werift or a handler threw something unexpected. */
  onError: (err: unknown) => void;
}

/** The part of werift's association that is not in its typings but that the bridge must read. */
interface SctpInternals {
  handleData(buf: Buffer): Promise<void>;
  advertisedRwnd: number;
}

/** One endpoint's SCTP association and its data channel. */
export class SctpEndpoint {
  readonly counters: SctpCounters;
  readonly #deps: SctpEndpointDeps;
  readonly #sctp: SCTP;
  /** The stream of the open channel. */
  #stream: number | undefined;
  #closed = false;

  constructor(deps: SctpEndpointDeps) {
    this.#deps = deps;
    this.counters = deps.counters;
    const transport: Transport = {
      send: (packet: Buffer) => {
        if (this.#closed) return Promise.resolve();
        this.counters.sctpPacketsOut++;
        deps.write(packet);
        return Promise.resolve();
      },
      close: () => {},
    };
    this.#sctp = SCTP.server(transport, SCTP_PORT);
    this.#sctp.onReceive.subscribe((stream, ppid, data) => this.#onReceive(stream, ppid, data));
    this.#sctp.onReconfigStreams.subscribe((streams) => {
      if (this.#stream !== undefined && streams.includes(this.#stream)) this.#channelClosed();
    });
    this.#sctp.stateChanged.closed.subscribe(() => this.#channelClosed());
    void this.#sctp.start(SCTP_PORT);
  }

  /** True once the client opened the channel, until it closes. */
  get open(): boolean {
    return this.#stream !== undefined;
  }

  /** Bytes queued in SCTP and not yet sent (flow control, congestion): the send backlog. */
  get bufferedAmount(): number {
    let n = 0;
    for (const c of this.#sctp.outboundQueue) n += c.userData.length;
    return n;
  }

  /** One SCTP packet that arrived as DTLS application data. */
  receive(packet: Buffer): void {
    if (this.#closed) return;
    this.counters.sctpPacketsIn++;
    const sctp = this.#sctp as unknown as SctpInternals;
    // werift's own transport callback drops the promise, and a malformed packet rejects it: call it here instead.
    sctp.handleData(packet).then(
      () => {
        // A peer that respects the window never drives it below zero; one that does would make werift buffer
        // without end for reassembly.
        if (sctp.advertisedRwnd < 0 && !this.#closed) {
          this.counters.dropSctpWindow++;
          this.close();
        }
      },
      () => this.counters.dropSctpMalformed++,
    );
  }

  /** Sends one text message on the open channel (PPID 51, or 56 for an empty one); false when none is open. */
  send(text: string): boolean {
    const stream = this.#stream;
    if (stream === undefined || this.#closed) return false;
    const data = Buffer.from(text, 'utf8');
    const ppid = data.length === 0 ? PPID_STRING_EMPTY : PPID_STRING;
    this.#sctp.send(stream, ppid, data.length === 0 ? Buffer.from([0]) : data).catch((err: unknown) => {
      this.#deps.onError(err);
    });
    return true;
  }

  /** Closes the channel's stream (the client sees its channel close); the association stays. */
  closeChannel(): void {
    const stream = this.#stream;
    if (stream === undefined || this.#closed) return;
    this.#channelClosed();
    this.#sctp.reconfigQueue.push(stream);
    this.#sctp.transmitReconfigRequest().catch((err: unknown) => this.#deps.onError(err));
  }

  /** Aborts the association and stops werift's timers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#channelClosed();
    this.#sctp.stop().catch(() => {}); // sends ABORT; its only failure is a send on a closed DTLS session
    this.#closed = true;
  }

  #onReceive(stream: number, ppid: number, data: Buffer): void {
    try {
      this.#dispatch(stream, ppid, data);
    } catch (err) {
      this.#deps.onError(err); // our handler's bug, not the peer's bad input: kept apart from malformed packets
    }
  }

  #dispatch(stream: number, ppid: number, data: Buffer): void {
    if (ppid === PPID_DCEP) {
      this.#onDcep(stream, data);
      return;
    }
    if (stream !== this.#stream) {
      this.counters.dropSctpNoChannel++;
      return;
    }
    switch (ppid) {
      case PPID_STRING:
        this.#deps.onMessage(data.toString('utf8'));
        return;
      case PPID_STRING_EMPTY:
        this.#deps.onMessage('');
        return;
      case PPID_BINARY:
        this.#deps.onMessage(data);
        return;
      case PPID_BINARY_EMPTY:
        this.#deps.onMessage(Buffer.alloc(0));
        return;
      default:
        this.counters.dropSctpNoChannel++;
    }
  }

  #onDcep(stream: number, data: Buffer): void {
    const msg = parseDcep(data);
    if (msg === undefined || msg.type !== 'open') {
      this.counters.dropSctpDcep++;
      return;
    }
    if (this.#stream !== undefined) {
      this.counters.dropSctpDcep++;
      return;
    }
    this.#stream = stream;
    this.#sctp.send(stream, PPID_DCEP, dcepAck()).catch((err: unknown) => this.#deps.onError(err));
    this.#deps.onOpen(msg.open.label, msg.open.protocol);
  }

  #channelClosed(): void {
    if (this.#stream === undefined) return;
    this.#stream = undefined;
    this.#deps.onClose();
  }
}
