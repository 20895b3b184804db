export { Prosody, type ProsodyOptions, type ProsodyPorts, type Account } from './prosody.js';
export {
  buildProsodyConfig,
  xmppLayout,
  luaString,
  type ProsodyConfigParams,
  type TurnService,
  type XmppLayout,
} from './prosody-config.js';
export { ensureProsody, findProsody, installCommand, type ProsodyBinaries } from './install.js';
export { ProsodyError, INSTALL_HINT } from './errors.js';
export { sweepStaleRunDirs, RUN_DIR_PREFIX } from './run-dir.js';
export { freePort } from './free-port.js';
export { parseLogLine, type ProsodyLogEntry } from './log-line.js';
export { isLoopbackAddress } from './loopback.js';
export {
  Coturn,
  buildCoturnConfig,
  turnCredentials,
  COTURN_BINARY,
  type CoturnOptions,
  type CoturnConfigParams,
} from './coturn.js';
