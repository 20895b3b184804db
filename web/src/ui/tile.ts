/** One person's tile: video, audio, name, mute badges, audio level. */
export class Tile {
  readonly el: HTMLDivElement;
  readonly video: HTMLVideoElement;
  readonly audio: HTMLAudioElement;
  readonly #name: HTMLDivElement;
  readonly #level: HTMLDivElement;

  readonly #onBlocked: () => void;

  constructor(endpointId: string, displayName: string, local: boolean, onBlocked: () => void = () => undefined) {
    this.#onBlocked = onBlocked;
    this.el = h('div', 'tile');
    this.el.dataset.endpoint = endpointId;
    if (local) this.el.classList.add('local');
    this.video = h('video', 'video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true;
    this.audio = h('audio', 'audio');
    this.audio.autoplay = true;
    const bar = h('div', 'bar');
    this.#level = h('div', 'level');
    this.#name = h('div', 'name');
    const mic = h('span', 'badge mic-off');
    mic.textContent = 'mic off';
    const cam = h('span', 'badge cam-off');
    cam.textContent = 'camera off';
    bar.append(this.#level, this.#name, mic, cam);
    const avatar = h('div', 'avatar');
    this.el.append(avatar, this.video, this.audio, bar);
    this.setName(displayName);
  }

  setName(name: string): void {
    this.#name.textContent = name;
    const avatar = this.el.querySelector('.avatar');
    if (avatar !== null) avatar.textContent = initials(name);
  }

  setMuted(audio: boolean, video: boolean, screen = false): void {
    this.el.classList.toggle('audio-muted', audio);
    this.el.classList.toggle('video-muted', video && !screen);
    this.el.classList.toggle('screen', screen);
  }

  /** 0..1 audio level; above a threshold the tile shows as speaking. */
  setLevel(level: number): void {
    this.#level.style.transform = `scaleY(${Math.min(1, level * 4).toFixed(2)})`;
    this.el.classList.toggle('speaking', level > 0.05);
  }

  /** The media session ended: no frozen last frame, the avatar until new tracks come. */
  clearMedia(): void {
    this.video.srcObject = null;
    this.audio.srcObject = null;
    this.el.classList.add('no-media');
    this.setLevel(0);
  }

  setTrack(track: MediaStreamTrack): void {
    this.el.classList.remove('no-media');
    const target = track.kind === 'video' ? this.video : this.audio;
    target.srcObject = new MediaStream([track]);
    // Autoplay with sound needs a user gesture; the Join click is one, an ?autojoin link is not.
    void target.play().catch(() => {
      if (track.kind === 'audio') this.#onBlocked();
    });
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, className = ''): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className !== '') el.className = className;
  return el;
}

function initials(name: string): string {
  const parts = name
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  return parts
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase() ?? '')
    .join('');
}
