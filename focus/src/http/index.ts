export { createFocusHttp, type FocusHttpDeps } from './focus-http.js';
export { clientAddress, normalizeAddress } from './client-address.js';
