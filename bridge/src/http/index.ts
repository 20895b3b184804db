export { BridgeHttpServer, parseShutdown, type BridgeHttpOptions, type Health } from './bridge-http.js';
