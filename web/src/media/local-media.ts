/** Our camera and microphone, or why we have none. */
export interface LocalMedia {
  stream: MediaStream;
  error?: string;
}

/** Asks for camera and microphone; falls back to microphone only, then to nothing, saying why. */
export async function getLocalMedia(): Promise<LocalMedia> {
  const video = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };
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
