// The WebRTC data channel establishment protocol (DCEP, RFC 8832) and the payload protocol ids of WebRTC data
// channels (RFC 8831 §8). Pure: parses and builds the two DCEP messages, nothing else.

/** SCTP payload protocol identifiers (RFC 8831 §8, RFC 8832 §8.1). */
export const PPID_DCEP = 50;
export const PPID_STRING = 51;
export const PPID_BINARY = 53;
export const PPID_STRING_EMPTY = 56;
export const PPID_BINARY_EMPTY = 57;

const DATA_CHANNEL_ACK = 0x02;
const DATA_CHANNEL_OPEN = 0x03;
/** Message type, channel type, priority, reliability parameter, label length, protocol length. */
const OPEN_HEADER_BYTES = 12;

/** RFC 8832 §5.1 channel types: reliable or partially reliable, ordered or not. */
export const CHANNEL_RELIABLE = 0x00;

export interface DcepOpen {
  channelType: number;
  priority: number;
  reliability: number;
  label: string;
  protocol: string;
}

export type DcepMessage = { type: 'open'; open: DcepOpen } | { type: 'ack' };

/** Parses one DCEP message; undefined for anything else or anything malformed (the caller counts it). */
export function parseDcep(buf: Buffer): DcepMessage | undefined {
  if (buf.length < 1) return undefined;
  if (buf[0] === DATA_CHANNEL_ACK) return buf.length === 1 ? { type: 'ack' } : undefined;
  if (buf[0] !== DATA_CHANNEL_OPEN || buf.length < OPEN_HEADER_BYTES) return undefined;
  const labelLength = buf.readUInt16BE(8);
  const protocolLength = buf.readUInt16BE(10);
  if (buf.length !== OPEN_HEADER_BYTES + labelLength + protocolLength) return undefined;
  const label = buf.subarray(OPEN_HEADER_BYTES, OPEN_HEADER_BYTES + labelLength);
  const protocol = buf.subarray(OPEN_HEADER_BYTES + labelLength);
  // Both are UTF-8 (RFC 8832 §5.1): a string that does not round-trip is not one.
  const labelText = label.toString('utf8');
  const protocolText = protocol.toString('utf8');
  if (Buffer.byteLength(labelText) !== labelLength || Buffer.byteLength(protocolText) !== protocolLength)
    return undefined;
  return {
    type: 'open',
    open: {
      channelType: buf[1]!,
      priority: buf.readUInt16BE(2),
      reliability: buf.readUInt32BE(4),
      label: labelText,
      protocol: protocolText,
    },
  };
}

/** DATA_CHANNEL_ACK: the answer to an OPEN, on the same stream. */
export function dcepAck(): Buffer {
  return Buffer.from([DATA_CHANNEL_ACK]);
}

/** DATA_CHANNEL_OPEN, for tests and for opening a channel from this side. */
export function dcepOpen(open: DcepOpen): Buffer {
  const label = Buffer.from(open.label, 'utf8');
  const protocol = Buffer.from(open.protocol, 'utf8');
  const head = Buffer.alloc(OPEN_HEADER_BYTES);
  head[0] = DATA_CHANNEL_OPEN;
  head[1] = open.channelType;
  head.writeUInt16BE(open.priority, 2);
  head.writeUInt32BE(open.reliability, 4);
  head.writeUInt16BE(label.length, 8);
  head.writeUInt16BE(protocol.length, 10);
  return Buffer.concat([head, label, protocol]);
}
