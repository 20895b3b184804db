// A real Prosody plus the real focus process (component or client mode), as the focus integration tests start
// them, and small helpers for two-party calls driven by JitsiParticipants.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { buildJingleIq, type Jingle, type JingleContent } from '@convene/protocol/jingle';
import { toSourceName, toSsrc } from '@convene/protocol/lib';
import type { Account, ExtraComponent, XmppServer, XmppServerKind } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from './app-process.js';
import { JitsiParticipant } from './jitsi-participant.js';
import { toXmpp } from './xmpp-peer.js';
import { startTestXmppServer } from './prosody.js';

export const BRIDGE_PASSWORD = 'bridge-secret';
const FOCUS_PASSWORD = 'focus-secret';

export type FocusMode = 'component' | 'client';

export interface FocusStack {
  /** The XMPP server (Prosody unless the extras ask for ejabberd). */
  prosody: XmppServer;
  focus: AppProcess;
  focusHttp: number;
  focusJid: string;
  /** A connected participant that sends its requests where this mode's focus listens; closed by closeParticipants. */
  participant(nick: string): Promise<JitsiParticipant>;
  closeParticipants(): Promise<void>;
  close(): Promise<void>;
}

/** More for Prosody: accounts beyond `jvb` and `focus`, and brewery owners other than `jvb@auth.meet.localhost`. */
export interface FocusStackProsodyExtras {
  accounts?: readonly Account[];
  bridgeJids?: readonly string[];
  /** Which XMPP server; ejabberd in component mode only. */
  server?: XmppServerKind;
  /** ejabberd only: no mod_ping on the auth host. */
  withoutPingOnAuthHost?: boolean;
  /** Prosody only: at most this many occupants per conference room (the focus not counted). */
  maxOccupants?: number;
  /** Prosody only: secure domain, password logins on meet.localhost and anonymous guests on this domain. */
  guestDomain?: string;
  /** Prosody only: more components (a stand-in for one of Jitsi's Prosody components). */
  extraComponents?: readonly ExtraComponent[];
}

/** A focus stack for the enclosing describe: started before all, participants closed after each test, then closed. */
export function focusStackSuite(
  mode: FocusMode,
  env: Record<string, string> = {},
  extras: FocusStackProsodyExtras = {},
): { readonly stack: FocusStack } {
  let stack: FocusStack | undefined;
  beforeAll(async () => {
    stack = await startFocusStack(mode, env, extras);
  });
  afterEach(async () => {
    await stack?.closeParticipants();
  });
  afterAll(async () => {
    await stack?.close();
  });
  return {
    get stack(): FocusStack {
      if (stack === undefined) throw new Error('the focus stack did not start');
      return stack;
    },
  };
}

export async function startFocusStack(
  mode: FocusMode,
  env: Record<string, string> = {},
  extras: FocusStackProsodyExtras = {},
): Promise<FocusStack> {
  const focusJid = mode === 'component' ? 'focus@focus.meet.localhost' : 'focus@auth.meet.localhost';
  const prosody = await startTestXmppServer(extras.server ?? 'prosody', {
    ...(extras.withoutPingOnAuthHost === true ? { withoutPingOnAuthHost: true } : {}),
    ...(extras.maxOccupants !== undefined ? { maxOccupants: extras.maxOccupants } : {}),
    ...(extras.guestDomain !== undefined ? { guestDomain: extras.guestDomain } : {}),
    ...(extras.extraComponents !== undefined ? { extraComponents: extras.extraComponents } : {}),
    accounts: [
      { user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD },
      { user: 'focus', host: 'auth.meet.localhost', password: FOCUS_PASSWORD },
      ...(extras.accounts ?? []),
    ],
    extraAdmins: mode === 'client' ? ['focus@auth.meet.localhost'] : [],
    ...(extras.bridgeJids !== undefined ? { bridgeJids: extras.bridgeJids } : {}),
  });
  const focusHttp = await freePort();
  const connection: Record<string, string> =
    mode === 'component'
      ? {
          CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
          CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
        }
      : {
          CONVENE_FOCUS_XMPP_MODE: 'client',
          CONVENE_FOCUS_C2S_PORT: String(prosody.ports.c2s),
          CONVENE_FOCUS_XMPP_PASSWORD: FOCUS_PASSWORD,
        };
  const focus = new AppProcess('focus/src/main.ts', {
    ...connection,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
    CONVENE_FOCUS_LOG_LEVEL: 'debug',
    CONVENE_FOCUS_HEALTH_CHECK_INTERVAL_MS: '1000',
    CONVENE_FOCUS_SCTP: 'true',
    ...env,
  });
  try {
    await focus.logLine('focus ready');
  } catch (err) {
    await focus.stop();
    await prosody.close();
    throw err;
  }
  const participants: JitsiParticipant[] = [];
  return {
    prosody,
    focus,
    focusHttp,
    focusJid,
    async participant(nick) {
      const p = await JitsiParticipant.connect(prosody, nick);
      // Debian's Prosody has no client_proxy: in client mode requests go to the focus's own JID (PROTOCOL.md §1.2).
      if (mode === 'client') p.focusAddress = `${focusJid}/focus`;
      participants.push(p);
      return p;
    },
    async closeParticipants() {
      await Promise.all(participants.splice(0).map((p) => p.close()));
    },
    async close() {
      await Promise.all(participants.splice(0).map((p) => p.close()));
      await focus.stop();
      await prosody.close();
    },
  };
}

export interface Call {
  room: string;
  /** The accepted session-initiate of each participant, in the order given. */
  inits: Array<{ from: string; jingle: Jingle; index: number }>;
}

/**
 * Everyone joins `room` (the first asks for the conference), accepts its session-initiate (SSRC bases
 * `base + 1000 * i`) and has received the others' sources.
 */
export async function startCall(room: string, people: JitsiParticipant[], base: number): Promise<Call> {
  await people[0]?.requestConference(room);
  for (const p of people) await p.join(room);
  const inits = await Promise.all(people.map((p) => p.nextJingle('session-initiate')));
  for (const [i, p] of people.entries()) {
    const res = await p.accept((inits[i] as { jingle: Jingle }).jingle, base + 1000 * i);
    if (res.attrs.type !== 'result') throw new Error(`${p.nick}: session-accept refused`);
  }
  // Everyone has the others' sources: the call is fully set up.
  for (const p of people) {
    const owners = new Set<string>();
    for (const j of p.jingles)
      if (j.jingle.action === 'source-add') for (const o of j.jingle.jsonSources?.keys() ?? []) owners.add(o);
    const deadline = Date.now() + 10_000;
    while (people.some((o) => o !== p && !owners.has(o.nick))) {
      if (Date.now() > deadline) throw new Error(`${p.nick}: did not get everyone's sources`);
      await new Promise((r) => setTimeout(r, 20));
      for (const j of p.jingles)
        if (j.jingle.action === 'source-add') for (const o of j.jingle.jsonSources?.keys() ?? []) owners.add(o);
    }
  }
  return { room, inits };
}

/** One content carrying one source, as a client's source-add / source-remove has it (no owner). */
export function sourceContent(media: 'audio' | 'video', ssrc: number, name: string): JingleContent {
  return {
    name: media,
    description: {
      media,
      payloadTypes: [],
      headerExtensions: [],
      rtcpFbs: [],
      extmapAllowMixed: false,
      rtcpMux: false,
      sources: [{ ssrc: toSsrc(ssrc), name: toSourceName(name), msid: `${name} track`, parameters: [] }],
      ssrcGroups: [],
    },
  };
}

/** A client Jingle of this action carrying one source. */
export function sourceJingle(
  action: 'source-add' | 'source-remove',
  sid: string,
  media: 'audio' | 'video',
  ssrc: number,
  name: string,
): Jingle {
  return { action, sid, groups: [], contents: [sourceContent(media, ssrc, name)] };
}

/** What the focus answered a Jingle IQ with: `result`, or `error` with its condition and application element. */
export interface JingleReply {
  type: string;
  condition?: string;
  application?: string;
}

/** Sends a Jingle (a parsed one, or a hand-written `<jingle>` element) to the room's focus from `p`. */
export async function sendJingle(p: JitsiParticipant, jingle: Jingle | Element): Promise<JingleReply> {
  const id = `raw${Math.random().toString(36).slice(2)}`;
  const iq =
    'action' in jingle
      ? toXmpp(buildJingleIq({ iq: { type: 'set', id, to: `${p.room}/focus` }, jingle }))
      : xml('iq', { type: 'set', to: `${p.room}/focus`, id }, toXmpp(jingle));
  try {
    const res = await p.peer.request(iq, 10_000);
    return { type: String(res.attrs.type) };
  } catch (err) {
    const e = err as { condition?: string; application?: Element };
    if (e.condition === undefined) throw err;
    return {
      type: 'error',
      condition: e.condition,
      ...(e.application !== undefined ? { application: `${e.application.attrs.xmlns}:${e.application.name}` } : {}),
    };
  }
}

/** The focus's GET /stats. */
export async function focusStats(port: number): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  return (await res.json()) as Record<string, unknown>;
}
