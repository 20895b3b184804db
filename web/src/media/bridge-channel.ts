import { buildChannelMessage, parseChannelMessage, type ChannelMessage } from '@convene/protocol/channel';

/** The browser end of the bridge channel over colibri-ws (PROTOCOL.md §7.2): JSON messages both ways. */
export class BridgeChannel {
  readonly #ws: WebSocket;
  #closed = false;
  readonly #pending: ChannelMessage[] = [];

  constructor(url: string, onMessage: (m: ChannelMessage) => void, onClose: (code: number) => void) {
    this.#ws = new WebSocket(url);
    this.#ws.addEventListener('open', () => {
      for (const m of this.#pending.splice(0)) this.#ws.send(buildChannelMessage(m));
    });
    this.#ws.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      let msg: ChannelMessage;
      try {
        msg = parseChannelMessage(e.data);
      } catch (err) {
        console.warn('bridge channel: message dropped', err);
        return;
      }
      onMessage(msg);
    });
    this.#ws.addEventListener('close', (e: CloseEvent) => {
      if (!this.#closed) onClose(e.code);
    });
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends now if open, else as soon as it opens. */
  send(m: ChannelMessage): void {
    if (this.#closed) return;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(buildChannelMessage(m));
    else this.#pending.push(m);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.close(1000);
  }
}
