import { buildChannelMessage, parseChannelMessage, type ChannelMessage } from '@convene/protocol/channel';

/** Label and protocol lib-jitsi-meet gives the bridge's data channel (PROTOCOL.md §7.3). */
export const DATA_CHANNEL_LABEL = 'JVB data channel';
export const DATA_CHANNEL_PROTOCOL = 'http://jitsi.org/protocols/colibri';

/** What carries the channel: a WebSocket (colibri-ws) or the SCTP data channel. Both have these members. */
type Carrier = WebSocket | RTCDataChannel;

/**
 * The browser end of the bridge channel (PROTOCOL.md §7): JSON messages both ways, over colibri-ws (§7.2) or over
 * the SCTP data channel the client opens on its peer connection (§7.3).
 */
export class BridgeChannel {
  readonly transport: 'websocket' | 'datachannel';
  readonly #carrier: Carrier;
  #closed = false;
  readonly #pending: ChannelMessage[] = [];

  private constructor(
    carrier: Carrier,
    onMessage: (m: ChannelMessage) => void,
    onClose: (code: number) => void,
    onOpen?: () => void,
  ) {
    this.#carrier = carrier;
    this.transport = carrier instanceof WebSocket ? 'websocket' : 'datachannel';
    carrier.addEventListener('open', () => {
      console.info(`bridge channel: ${this.transport} open`);
      for (const m of this.#pending.splice(0)) carrier.send(buildChannelMessage(m));
      onOpen?.();
    });
    carrier.addEventListener('message', (e: Event) => {
      const data: unknown = (e as MessageEvent).data;
      if (typeof data !== 'string') return;
      let msg: ChannelMessage;
      try {
        msg = parseChannelMessage(data);
      } catch (err) {
        console.warn('bridge channel: message dropped', err);
        return;
      }
      onMessage(msg);
    });
    carrier.addEventListener('close', (e: Event) => {
      if (!this.#closed) onClose(e instanceof CloseEvent ? e.code : 1006);
    });
  }

  /** colibri-ws at `url`. */
  static overWebSocket(url: string, onMessage: (m: ChannelMessage) => void, onClose: (code: number) => void) {
    return new BridgeChannel(new WebSocket(url), onMessage, onClose);
  }

  /** The SCTP data channel, created on `pc` before the offer is applied (as lib-jitsi-meet does). */
  static overDataChannel(
    dc: RTCDataChannel,
    onMessage: (m: ChannelMessage) => void,
    onClose: (code: number) => void,
    onOpen?: () => void,
  ) {
    return new BridgeChannel(dc, onMessage, onClose, onOpen);
  }

  get open(): boolean {
    return this.#isOpen();
  }

  /** Sends now if open, else as soon as it opens. */
  send(m: ChannelMessage): void {
    if (this.#closed) return;
    if (this.#isOpen()) this.#carrier.send(buildChannelMessage(m));
    else this.#pending.push(m);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#carrier instanceof WebSocket) this.#carrier.close(1000);
    else this.#carrier.close();
  }

  #isOpen(): boolean {
    const c = this.#carrier;
    return c instanceof WebSocket ? c.readyState === WebSocket.OPEN : c.readyState === 'open';
  }
}
