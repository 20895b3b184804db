export { Prosody, type ProsodyOptions, type ProsodyPorts, type Account } from './prosody.js';
export {
  buildProsodyConfig,
  xmppLayout,
  luaString,
  type ProsodyConfigParams,
  type ExtraComponent,
  type TurnService,
  type XmppLayout,
} from './prosody-config.js';
export { ensureProsody, findProsody, installCommand, type ProsodyBinaries } from './install.js';
export { ProsodyError, INSTALL_HINT } from './errors.js';
export { sweepStaleRunDirs, RUN_DIR_PREFIX } from './run-dir.js';
export { freePort, claimPort, PORT_CLAIMS_DIR } from './free-port.js';
export { parseLogLine, type ProsodyLogEntry } from './log-line.js';
export { isLoopbackAddress } from './loopback.js';
export { Ejabberd, type EjabberdOptions } from './ejabberd.js';
export { buildEjabberdConfig, yamlString, type EjabberdConfigParams } from './ejabberd-config.js';
export { ensureEjabberd, findEjabberd, EJABBERD_INSTALL_HINT, type EjabberdBinaries } from './ejabberd-install.js';
export { EjabberdError } from './errors.js';
export { EJABBERD_RUN_DIR_PREFIX } from './run-dir.js';
export { XMPP_SERVER_KINDS, type XmppServer, type XmppServerKind, type XmppServerPorts } from './xmpp-server.js';
export {
  Coturn,
  buildCoturnConfig,
  turnCredentials,
  COTURN_BINARY,
  type CoturnOptions,
  type CoturnConfigParams,
} from './coturn.js';
export { isAlive } from './run-dir.js';
