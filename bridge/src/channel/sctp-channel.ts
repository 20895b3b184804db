// The bridge channel over the endpoint's SCTP data channel (PROTOCOL.md §7.3): the client opens it (DCEP OPEN),
// the media side answers the ACK, and from then on each message goes to the same hub as colibri-ws's.
import type { ChannelConnection, ChannelEndpoint, ChannelHub, ChannelSocket } from './channel-hub.js';

/** The media side's end of the data channel (conference/ Endpoint.acceptSctp). */
export interface DataChannelPort {
  readonly open: boolean;
  readonly bufferedAmount: number;
  send(text: string): boolean;
  closeChannel(): void;
}

export interface DataChannelListener {
  onOpen(label: string, protocol: string): void;
  onMessage(data: string | Buffer): void;
  onClose(): void;
}

/** Accepts the endpoint's data channel and serves the bridge channel on it once the client opens it. */
export function serveSctpChannel(
  hub: ChannelHub,
  endpoint: ChannelEndpoint,
  accept: (listener: DataChannelListener) => DataChannelPort,
): void {
  let conn: ChannelConnection | undefined;
  const link = accept({
    onOpen: () => {
      conn = hub.attach(endpoint, socket);
    },
    onMessage: (data) => {
      if (conn !== undefined) hub.receive(conn, data);
    },
    onClose: () => {
      if (conn === undefined) return;
      hub.detach(conn);
      conn = undefined;
    },
  });
  const socket: ChannelSocket = {
    transport: 'sctp',
    get isOpen() {
      return link.open;
    },
    get bufferedAmount() {
      return link.bufferedAmount;
    },
    send: (text) => link.send(text),
    // A data channel has no close code: resetting its stream is all the client sees, whatever the reason.
    close: () => link.closeChannel(),
    terminate: () => link.closeChannel(),
  };
}
