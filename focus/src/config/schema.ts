import { isIP } from 'node:net';
import { z } from 'zod';
import { Domain, JidPattern, LogLevel, Port, Secret } from '@convene/protocol/config';
import { DEFAULT_VIDEO_CODECS, VIDEO_CODECS } from '../conference/offer.js';

/** Focus configuration: YAML file, env CONVENE_FOCUS_*, flags; see focus/README.md. */
export const FocusConfigSchema = z
  .strictObject({
    /** Client domain; the other addresses default from it (ARCHITECTURE.md, XMPP layout). */
    domain: Domain.default('meet.localhost'),
    /**
     * `component` (default): XEP-0114 component at `focus.<domain>`. `client`: log in as `focus@auth.<domain>`, the
     * account Jitsi's client_proxy forwards to, for an existing Jitsi Prosody left exactly as it is.
     */
    xmppMode: z.enum(['component', 'client'], { error: 'expected component or client' }).default('component'),
    xmppHost: z.string().min(1).default('127.0.0.1'),
    componentPort: Port.default(5347),
    /** Component mode: secret of the `focus.<domain>` component in Prosody's config. */
    componentSecret: Secret.optional(),
    /** Client mode: Prosody's c2s port, the account (`<xmppUser>@auth.<domain>`) and its password. */
    c2sPort: Port.default(5222),
    xmppUser: z.string().min(1).default('focus'),
    xmppPassword: Secret.optional(),
    /** Defaults: `focus.<domain>`, `conference.<domain>`, `jvbbrewery@internal.auth.<domain>`. */
    focusDomain: Domain.optional(),
    mucDomain: Domain.optional(),
    /**
     * Jitsi's breakout rooms (Prosody's muc_breakout_rooms, on by default in jitsi-meet): their MUC service, default
     * `breakout.<domain>`. Conference requests for rooms there are served as Jicofo does, without the secure-domain
     * check (Prosody's module admits members there).
     */
    breakoutMucDomain: Domain.optional(),
    /**
     * Prosody's av_moderation component (jitsi-meet's, on by default), default `avmoderation.<domain>`: the focus
     * trusts its messages only, and enforces AV moderation with the bridge's force-mute as Jicofo does.
     */
    avModerationComponent: Domain.optional(),
    breweryRoom: z
      .string()
      .regex(/^[^@/\s]+@[^@/\s]+$/, { error: 'expected a bare room JID' })
      .optional(),
    /**
     * Real JIDs whose brewery occupants count as bridges (full JID, bare JID or domain); default
     * `jvb@auth.<domain>`. Any other occupant with stats is ignored and counted: a nick or stats prove nothing.
     */
    allowedBridgeJids: z.array(JidPattern).min(1).optional(),
    /** Nick in every room; lib-jitsi-meet only treats Jingle from a `focus` nick as the bridge session. */
    nick: z.string().min(1).default('focus'),
    httpPort: Port.default(8888),
    httpBindAddress: z.string().min(1).default('127.0.0.1'),
    videoCodecs: z
      .array(z.enum(VIDEO_CODECS, { error: `expected codecs from ${VIDEO_CODECS.join(', ')}` }))
      .min(1)
      .default([...DEFAULT_VIDEO_CODECS]),
    minParticipants: z.number().int().min(1).max(100).default(2),
    /**
     * Offer the SCTP data channel (a `data` content) to clients that support it, as Jicofo does by default
     * (`jicofo.sctp.enabled`). lib-jitsi-meet then opens its bridge channel over SCTP; colibri-ws stays offered.
     */
    sctp: z.boolean({ error: 'expected true or false' }).default(true),
    /**
     * SSRC rewriting for clients that advertise `http://jitsi.org/ssrc-rewriting-1` (Jicofo's
     * `jicofo.conference.use-ssrc-rewriting`, default true): only the bridge's feedback sources in their offer, no
     * source-add/remove; the bridge announces what it forwards on the bridge channel.
     */
    ssrcRewriting: z.boolean({ error: 'expected true or false' }).default(true),
    /** A member left alone this long has its session ended and the bridge conference expired (Jicofo: 20 s). */
    singleParticipantTimeoutMs: z.number().int().min(1000).default(20_000),
    /** Bridges are health-checked this often (Jicofo's JvbDoctor: 10 s). */
    healthCheckIntervalMs: z.number().int().min(1000).default(10_000),
    /** A health check unanswered this long is retried once after the same delay; a second miss fails the bridge. */
    healthCheckTimeoutMs: z.number().int().min(200).default(5_000),
    /**
     * A bridge that failed (a fatal Colibri2 answer, health checks) stays out of selection this long (Jicofo's
     * failure-reset-threshold); conferences waiting for a bridge are invited when it ends. A bridge the health
     * checks failed is back as soon as one passes.
     */
    bridgeFailureResetMs: z.number().int().min(1000).default(60_000),
    initialTimeoutMs: z.number().int().min(1000).default(15_000),
    /** Conferences this focus runs at most; a request for a new room beyond it gets `resource-constraint`. */
    maxConferences: z.number().int().min(1).default(5_000),
    /** New conferences one requester (bare JID, or HTTP client address) may create per `newConferenceWindowMs`. */
    newConferencesPerRequester: z.number().int().min(1).default(20),
    /**
     * New conferences all JIDs of one anonymous domain may create together per window: an anonymous JID is renewed
     * by reconnecting, so the per-requester limit alone does not hold an anonymous flood back.
     */
    newConferencesPerAnonymousDomain: z.number().int().min(1).default(100),
    newConferenceWindowMs: z.number().int().min(100).default(10_000),
    /**
     * Domains with anonymous login; empty when every user logs in. Default: `domain` (jitsi-meet's default), or
     * `guest.<domain>` with `authentication: xmpp` (docker-jitsi-meet's guest domain).
     */
    anonymousDomains: z.array(Domain).optional(),
    /**
     * Jicofo's `authentication.type`: `none`, or `xmpp` (secure domain): only users logged in on
     * `authenticationDomain` create rooms and become owners; guests join rooms that exist.
     */
    authentication: z.enum(['none', 'xmpp'], { error: 'expected none or xmpp' }).default('none'),
    /** The domain whose users are authenticated (Jicofo's `login-url` for XMPP); default: `domain`. */
    authenticationDomain: Domain.optional(),
    /** An authentication session unused this long is forgotten (Jicofo's `authentication-lifetime`: 24 h). */
    authenticationLifetimeMs: z.number().int().min(60_000).default(86_400_000),
    /** Reverse proxies (exact addresses) whose `X-Forwarded-For` names the HTTP client; others' is ignored. */
    trustedProxies: z.array(z.string().refine((a) => isIP(a) !== 0, { error: 'expected an IP address' })).default([]),
    /** Disco#info answers cached by their verified caps `node#ver` (XEP-0115 §5.4), least recently used out first. */
    capsCacheSize: z.number().int().min(1).default(1_000),
    /** A cached caps entry is asked again (disco#info) after this long. */
    capsCacheTtlMs: z.number().int().min(1000).default(3_600_000),
    logLevel: LogLevel.default('info'),
  })
  .superRefine((c, ctx) => {
    const key = c.xmppMode === 'component' ? 'componentSecret' : 'xmppPassword';
    if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required in ${c.xmppMode} mode` });
    // Everyone on an anonymous domain would count as logged in: rooms open to all, every guest an owner.
    const authDomain = (c.authenticationDomain ?? c.domain).toLowerCase();
    const anonymous = c.anonymousDomains ?? [`guest.${c.domain}`]; // the default with authentication: xmpp
    if (c.authentication === 'xmpp' && anonymous.some((d) => d.toLowerCase() === authDomain))
      ctx.addIssue({
        code: 'custom',
        path: ['anonymousDomains'],
        message: `must not include the authentication domain ${authDomain}`,
      });
  });

export type FocusConfig = z.infer<typeof FocusConfigSchema>;
