/** Our camera and microphone, or why we have none. */
export interface LocalMedia {
  stream: MediaStream;
  error?: string;
}

/** Camera heights a page may ask for with `?resolution=` (Jitsi's choices); 720 by default, as jitsi-meet. */
const HEIGHTS = [180, 360, 720] as const;

/** The camera height for a `resolution` query parameter: one of HEIGHTS, else 720. */
export function cameraHeight(param: string | null): number {
  const h = Number(param);
  return (HEIGHTS as readonly number[]).includes(h) ? h : 720;
}

/** Asks for camera and microphone; falls back to microphone only, then to nothing, saying why. */
export async function getLocalMedia(height = 720): Promise<LocalMedia> {
  const video = {
    width: { ideal: Math.round((height * 16) / 9) },
    height: { ideal: height },
    frameRate: { ideal: 30 },
  };
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true, video }) };
  } catch (err) {
    const why = describe(err);
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ audio: true }), error: `Camera: ${why}` };
    } catch {
      return { stream: new MediaStream(), error: `Camera and microphone: ${why}` };
    }
  }
}

function describe(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'NotAllowedError') return 'permission denied. You can still see and hear the others.';
  if (name === 'NotFoundError') return 'no device found.';
  if (name === 'NotReadableError') return 'the device is in use by another application.';
  return String((err as Error).message ?? err);
}
