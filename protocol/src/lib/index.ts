export { ConveneError, ProtocolError, InvalidStateError, NotFoundError } from './errors.js';
