export { ConveneError, ProtocolError, InvalidStateError, NotFoundError } from './errors.js';
export {
  type EndpointId,
  type SourceName,
  type MeetingId,
  type Ssrc,
  toEndpointId,
  toSourceName,
  toMeetingId,
  toSsrc,
  parseSsrc,
} from './ids.js';
export { withContext } from './with-context.js';
export { SerialQueue } from './serial-queue.js';
export { parseJsonText, isObject } from './json-text.js';
export { JidAllowList } from './jid-allow-list.js';
export { TypedEmitter } from './typed-emitter.js';
