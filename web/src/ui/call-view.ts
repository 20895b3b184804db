import { Tile, h } from './tile.js';

export interface CallViewActions {
  toggleAudio(): void;
  toggleVideo(): void;
  toggleScreen(): void;
  leave(): void;
  sendChat(text: string): void;
}

/** The call screen: grid of tiles, controls, chat, status line. */
export class CallView {
  readonly #root: HTMLElement;
  readonly #grid: HTMLDivElement;
  readonly #status: HTMLDivElement;
  readonly #chatLog: HTMLDivElement;
  readonly #tiles = new Map<string, Tile>();
  readonly #micButton: HTMLButtonElement;
  readonly #camButton: HTMLButtonElement;
  readonly #screenButton: HTMLButtonElement;
  readonly #soundButton: HTMLButtonElement;

  constructor(root: HTMLElement, room: string, actions: CallViewActions) {
    this.#root = root;
    root.replaceChildren();
    root.className = 'call';
    const header = h('header', 'top');
    const title = h('h1');
    title.textContent = room;
    const copy = button('Copy link', 'copy-link', () => {
      void navigator.clipboard
        ?.writeText(location.href.split('?')[0] ?? location.href)
        .catch((err: unknown) => console.debug('copying the link failed', err));
      copy.textContent = 'Link copied';
    });
    this.#status = h('div', 'status');
    header.append(title, copy, this.#status);
    this.#grid = h('div', 'grid');
    const side = h('aside', 'chat');
    this.#chatLog = h('div', 'chat-log');
    const form = h('form', 'chat-form');
    const input = h('input', 'chat-input');
    input.placeholder = 'Message everyone';
    form.append(input);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (input.value.trim() !== '') actions.sendChat(input.value.trim());
      input.value = '';
    });
    side.append(this.#chatLog, form);
    const controls = h('footer', 'controls');
    this.#micButton = button('Mute', 'mic', () => actions.toggleAudio());
    this.#camButton = button('Stop camera', 'cam', () => actions.toggleVideo());
    this.#screenButton = button('Share screen', 'screen', () => actions.toggleScreen());
    this.#soundButton = button('Enable sound', 'sound', () => {
      for (const a of root.querySelectorAll('audio'))
        void a.play().catch((err: unknown) => console.debug('audio did not start', err));
      this.#soundButton.hidden = true;
    });
    this.#soundButton.hidden = true;
    controls.append(
      this.#micButton,
      this.#camButton,
      this.#screenButton,
      this.#soundButton,
      button('Leave', 'leave', () => actions.leave()),
    );
    const main = h('div', 'main');
    main.append(this.#grid, side);
    root.append(header, main, controls);
  }

  tile(endpointId: string, displayName = endpointId, local = false): Tile {
    let t = this.#tiles.get(endpointId);
    if (t === undefined) {
      t = new Tile(endpointId, displayName, local, () => (this.#soundButton.hidden = false));
      this.#tiles.set(endpointId, t);
      if (local) this.#grid.prepend(t.el);
      else this.#grid.append(t.el);
      this.#layout();
    }
    return t;
  }

  /** Every other person's video source and the device pixels its tile shows it at (receiver constraints). */
  remoteVideos(): { sourceName: string; shownHeight: number }[] {
    const out: { sourceName: string; shownHeight: number }[] = [];
    for (const [id, t] of this.#tiles)
      if (!t.el.classList.contains('local'))
        out.push({ sourceName: `${id}-v0`, shownHeight: t.video.clientHeight * devicePixelRatio });
    return out;
  }

  hasTile(endpointId: string): boolean {
    return this.#tiles.has(endpointId);
  }

  /** Every other person's tile drops its (now frozen) media. */
  clearRemoteMedia(): void {
    for (const t of this.#tiles.values()) if (!t.el.classList.contains('local')) t.clearMedia();
  }

  removeTile(endpointId: string): void {
    const t = this.#tiles.get(endpointId);
    if (t === undefined) return;
    t.video.srcObject = null;
    t.audio.srcObject = null;
    t.el.remove();
    this.#tiles.delete(endpointId);
    this.#layout();
  }

  setLocalMuted(audio: boolean, video: boolean): void {
    this.#micButton.textContent = audio ? 'Unmute' : 'Mute';
    this.#camButton.textContent = video ? 'Start camera' : 'Stop camera';
    this.#micButton.classList.toggle('off', audio);
    this.#camButton.classList.toggle('off', video);
  }

  setSharing(sharing: boolean): void {
    this.#screenButton.textContent = sharing ? 'Stop sharing' : 'Share screen';
    this.#screenButton.classList.toggle('on', sharing);
  }

  setSpeaker(endpointId: string): void {
    for (const [id, t] of this.#tiles) t.el.classList.toggle('dominant', id === endpointId);
  }

  /** A lasting message under the header (camera denied and the like). */
  notice(text: string): void {
    const n = h('div', 'notice');
    n.textContent = text;
    this.#root.querySelector('header')?.after(n);
  }

  status(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#status.textContent = text;
    this.#status.className = `status ${kind}`;
  }

  chat(from: string, text: string, own = false): void {
    const line = h('div', own ? 'chat-line own' : 'chat-line');
    const who = h('span', 'chat-from');
    who.textContent = from;
    const body = h('span', 'chat-text');
    body.textContent = text;
    line.append(who, body);
    this.#chatLog.append(line);
    this.#chatLog.scrollTop = this.#chatLog.scrollHeight;
  }

  /** Ended: a message instead of the grid. */
  ended(text: string): void {
    for (const id of [...this.#tiles.keys()]) this.removeTile(id);
    const msg = h('div', 'ended');
    msg.textContent = text;
    const again = h('a', 'rejoin');
    again.href = location.pathname;
    again.textContent = 'Join again';
    const notices = [...this.#root.querySelectorAll('.notice')];
    this.#root.replaceChildren(msg, ...notices, again);
  }

  #layout(): void {
    const n = Math.max(1, this.#tiles.size);
    const cols = Math.ceil(Math.sqrt(n));
    this.#grid.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  }
}

function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', className);
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}
