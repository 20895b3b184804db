import { z } from 'zod';
import { Domain, LogLevel, Port, Secret } from '@convene/protocol/config';

/** Configuration of `npm start`: file `convene.yaml`, env `CONVENE_STACK_*`, flags `--kebab-case`. */
export const StackConfigSchema = z
  .strictObject({
    /**
     * The XMPP server: Debian's Prosody (default) or Debian's ejabberd. ejabberd works in component mode only (the
     * focus is an XEP-0114 component, as here); `--xmpp-server ejabberd`.
     */
    xmppServer: z.enum(['prosody', 'ejabberd'], { error: 'expected prosody or ejabberd' }).default('prosody'),
    /** Client domain; `auth.`, `conference.`, `internal.auth.` and `focus.` hosts derive from it. */
    domain: Domain.default('meet.localhost'),
    /**
     * The listeners people reach bind here: Prosody and the web server. Loopback unless you put the stack on a network
     * on purpose. The admin servers of the focus and the bridge (REST, shutdown, /metrics) and the bridge's colibri-ws
     * server, which the web server proxies, stay on loopback whatever this says.
     */
    bindAddress: z.ipv4({ error: 'expected an IPv4 address' }).or(z.ipv6()).default('127.0.0.1'),
    c2sPort: Port.default(5222),
    componentPort: Port.default(5347),
    /** The XMPP server's HTTP: BOSH at /http-bind, XMPP over WebSocket at /xmpp-websocket. */
    xmppHttpPort: Port.default(5280),
    webPort: Port.default(8000),
    /** Focus HTTP on loopback: health, stats, metrics, conference request. */
    focusHttpPort: Port.default(8888),
    /** Bridge private HTTP on loopback: REST, /metrics, drain, shutdown. */
    bridgeHttpPort: Port.default(8080),
    /** Bridge public HTTP on loopback: colibri-ws only; the web server proxies /colibri-ws/ to it. */
    bridgePublicHttpPort: Port.default(9090),
    /** Bridge media: one UDP port for every endpoint. */
    bridgeMediaPort: Port.default(10000),
    /**
     * Run coturn (Debian `coturn`) beside Prosody: clients get time-limited TURN credentials (XEP-0215) and can relay
     * media through it. On a loopback stack coturn may relay to loopback, where the bridge listens.
     */
    turn: z.boolean({ error: 'expected true or false' }).default(false),
    /** coturn's port, UDP and TCP, on bindAddress. */
    turnPort: Port.default(3478),
    /**
     * Secure domain (Jitsi's "secure domain" setup): these `user:password` accounts log in on `domain` and alone
     * start meetings, and become their moderators (the focus's `authentication: xmpp`); everyone else joins meetings
     * that started, as a guest on `guest.<domain>`, and the page shows a login form meanwhile. Empty (default): anyone
     * starts meetings. Keep them in convene.yaml (0600), not on the command line, where `ps` shows them. Prosody only.
     */
    users: z.array(z.string().regex(/^[^@:/\s]+:.+$/, { error: 'expected user:password' })).default([]),
    /** Secret of the focus's XEP-0114 component connection. */
    focusSecret: Secret,
    /** Password of the bridge account `jvb@auth.<domain>`. */
    bridgePassword: Secret,
    logLevel: LogLevel.default('info'),
    /** `pretty` for a terminal, `json` for a log collector. */
    logFormat: z.enum(['pretty', 'json'], { error: 'expected pretty or json' }).default('pretty'),
    /** Install missing system packages (prosody or ejabberd) with apt-get when running as root. */
    installPackages: z.boolean({ error: 'expected true or false' }).default(true),
  })
  .superRefine((c, ctx) => {
    if (c.users.length > 0 && c.xmppServer !== 'prosody')
      ctx.addIssue({
        code: 'custom',
        path: ['users'],
        message: 'a secure domain needs Prosody, not ejabberd',
      });
  });

export type StackConfig = z.infer<typeof StackConfigSchema>;
