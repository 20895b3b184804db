import type { ChannelMessage } from '@convene/protocol/channel';
import { BridgeChannel } from './bridge-channel.js';

export interface BridgeLinkDeps {
  /** Each message from the bridge. */
  onMessage(m: ChannelMessage): void;
  endpointId(): string;
  /** Our camera source carries a screen share (told to every new channel). */
  sharingScreen(): boolean;
  /** The call ended: nothing reconnects. */
  ended(): boolean;
  /**
   * A new channel started (messages queue until it opens): the receiver's constraints go first, since JVB forwards
   * no video until the receiver says what it wants (PROTOCOL.md §7.4).
   */
  onStart(): void;
}

/** What the page saw of its bridge channel, for tests and diagnostics. */
export interface BridgeLinkState {
  transport?: 'websocket' | 'datachannel';
  /** colibriClass of the last messages received (at most 100). */
  received: string[];
  /** The last ForwardedSources list. */
  forwarded?: string[];
}

/**
 * The page's one bridge channel (PROTOCOL.md §7): over the SCTP data channel when the offer has one and the page
 * prefers it (§7.3), else over colibri-ws (§7.2), reconnecting the WebSocket as lib-jitsi-meet does. Should the data
 * channel close (or never open) while the offer also carried a colibri-ws URL, the WebSocket takes over.
 */
export class BridgeLink {
  readonly state: BridgeLinkState = { received: [] };
  readonly #deps: BridgeLinkDeps;
  #channel: BridgeChannel | undefined;

  constructor(deps: BridgeLinkDeps) {
    this.#deps = deps;
  }

  /** The SCTP data channel, created on the peer connection; `url` is the fallback. */
  useDataChannel(dc: RTCDataChannel, url: string | undefined): void {
    this.#channel?.close();
    const channel = BridgeChannel.overDataChannel(
      dc,
      (m) => this.#onMessage(m, channel),
      () => {
        if (this.#deps.ended() || this.#channel !== channel || url === undefined) return;
        console.warn('bridge channel: data channel closed; falling back to colibri-ws');
        this.useWebSocket(url);
      },
    );
    this.#start(channel);
  }

  useWebSocket(url: string, attempt = 0): void {
    this.#channel?.close();
    const channel = BridgeChannel.overWebSocket(
      url,
      (m) => {
        attempt = 0;
        this.#onMessage(m, channel);
      },
      (code) => {
        // Reconnect like lib-jitsi-meet (1 s doubling up to 60 s), unless the call or the session moved on.
        const delay = Math.min(1000 * 2 ** attempt, 60_000);
        console.warn(`bridge channel closed (${code}); reconnecting in ${delay} ms`);
        setTimeout(() => {
          if (!this.#deps.ended() && this.#channel === channel) this.useWebSocket(url, attempt + 1);
        }, delay);
      },
    );
    this.#start(channel);
  }

  /** Sends one message (now, or once the channel opens); false when there is no channel. */
  send(m: ChannelMessage): boolean {
    if (this.#channel === undefined) return false;
    this.#channel.send(m);
    return true;
  }

  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }

  #start(channel: BridgeChannel): void {
    this.#channel = channel;
    this.#deps.onStart();
    if (this.#deps.sharingScreen())
      channel.send({
        colibriClass: 'SourceVideoTypeMessage',
        sourceName: `${this.#deps.endpointId()}-v0`,
        videoType: 'desktop',
      });
  }

  #onMessage(m: ChannelMessage, channel: BridgeChannel): void {
    this.state.transport = channel.transport;
    this.state.received.push(m.colibriClass);
    if (this.state.received.length > 100) this.state.received.shift();
    if (m.colibriClass === 'ForwardedSources') this.state.forwarded = [...m.forwardedSources];
    this.#deps.onMessage(m);
  }
}
