export { BridgeHttpServer, type BridgeHttpOptions } from './bridge-http.js';
export { restRoutes, parseShutdown, type Health, type RestApi } from './rest-routes.js';
export { isCrossSite } from './cross-site.js';
export type { Reply, Route } from './http-reply.js';
