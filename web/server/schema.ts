import { z } from 'zod';
import { Domain, LogLevel } from '@convene/protocol/config';

const PortOrZero = z
  .number({ error: 'expected a port number 0..65535' })
  .int({ error: 'expected a port number 0..65535' })
  .min(0, { error: 'expected a port number 0..65535' })
  .max(65535, { error: 'expected a port number 0..65535' });

const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// URL' });

/** Configuration of the web server: file (`--config`), env `CONVENE_WEB_*`, flags `--kebab-case`. */
export const WebConfigSchema = z.strictObject({
  /** Client domain; the page logs in anonymously here (unless `anonymousDomain` is set). */
  domain: Domain.default('meet.localhost'),
  /**
   * Secure domain (jitsi-meet's `hosts.anonymousdomain`): the page logs in anonymously here, and with a user's
   * password on `domain` when the focus says the meeting needs someone logged in to start it.
   */
  anonymousDomain: Domain.optional(),
  focusDomain: Domain.optional(),
  mucDomain: Domain.optional(),
  /** 0 picks a free port (tests); the server logs the one it got. */
  port: PortOrZero.default(8000),
  bindAddress: z.string().min(1).default('127.0.0.1'),
  /** Prosody's HTTP listener: `/xmpp-websocket` is proxied there, as nginx does in a Jitsi install. */
  xmppHttpUrl: HttpUrl.default('http://127.0.0.1:5280'),
  /** The bridge's public HTTP listener (its `publicHttpPort`): `/colibri-ws/` is proxied there. */
  bridgeHttpUrl: HttpUrl.default('http://127.0.0.1:9090'),
  /** Video codec the page sends first. */
  preferredVideoCodec: z.enum(['vp8', 'vp9', 'h264', 'av1']).default('vp8'),
  /**
   * The page opens its bridge channel over the SCTP data channel when the focus offers one (lib-jitsi-meet's
   * `bridgeChannel.preferSctp`, default true); false keeps it on colibri-ws.
   */
  preferSctp: z.boolean({ error: 'expected true or false' }).default(true),
  logLevel: LogLevel.default('info'),
});

export type WebConfig = z.infer<typeof WebConfigSchema>;
