// The page's entry point: fetch the runtime config, show the join form, run the call.
import { parseRuntimeConfig } from './config/runtime-config.js';
import { cameraHeight, getLocalMedia } from './media/local-media.js';
import { showJoinForm } from './ui/join-view.js';
import { Call } from './call.js';

declare global {
  interface Window {
    /** For tests and curious people: the running call. */
    convene?: Call;
  }
}

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  let config;
  try {
    const res = await fetch('/config.json');
    config = parseRuntimeConfig(await res.json(), location.href);
  } catch (err) {
    root.textContent = `The server is unreachable: ${(err as Error).message}`;
    return;
  }
  const params = new URLSearchParams(location.search);
  // As Jitsi Meet's `#config.bridgeChannel.preferSctp=false`: this page keeps its bridge channel on colibri-ws.
  if (params.get('bridgeChannel') === 'websocket') config = { ...config, preferSctp: false };
  // As Jitsi Meet's `#config.videoQuality.codecPreferenceOrder`: the codec this page sends (vp9/av1: SVC).
  const codec = params.get('videoCodec');
  if (codec !== null && /^(vp8|vp9|av1|h264)$/i.test(codec))
    config = { ...config, preferredVideoCodec: codec.toLowerCase() };
  const fromPath = decodeURIComponent(location.pathname.slice(1)).split('/')[0] ?? '';
  let room = fromPath;
  let name = params.get('name') ?? '';
  if (params.get('autojoin') === null || room === '' || name === '') {
    const chosen = await showJoinForm(root, room);
    room = chosen.room;
    name = chosen.name;
    if (room !== fromPath) history.replaceState(null, '', `/${encodeURIComponent(room)}`);
  }
  root.textContent = 'Starting camera…';
  const captureHeight = cameraHeight(params.get('resolution'));
  const media = await getLocalMedia(captureHeight);
  const receive = params.get('receiveHeight');
  const receiveHeight = receive === null ? undefined : Number(receive);
  const lastN = params.get('lastN') === null ? undefined : Number(params.get('lastN'));
  // As lib-jitsi-meet's iceTransportPolicy: `relay` tests a TURN setup (media only through the server's TURN).
  const iceTransportPolicy = params.get('iceTransportPolicy') === 'relay' ? 'relay' : 'all';
  const call = new Call({
    config,
    room,
    displayName: name,
    media,
    root,
    captureHeight,
    receiveHeight,
    lastN,
    iceTransportPolicy,
  });
  window.convene = call;
  // Closing the tab leaves the room at once (the server would notice the dead WebSocket only later).
  addEventListener('pagehide', () => void call.leave());
  await call.start();
}

void main();
