import { h } from './tile.js';

// What the focus accepts as a room: no nodeprep-forbidden character (RFC 7622 §3.3.1), as in its conference-manager.
// Chromium compiles `pattern` with the `v` flag, where `/` and `-` in a class must be escaped; this one also
// compiles under `u` (older browsers) because it escapes nothing else.
const ROOM_PATTERN = '[^\\s"&\'\\/:<>@\\p{Cc}]+';

/** The join form: room name (from the path) and display name (remembered). Resolves when Join is pressed. */
export function showJoinForm(root: HTMLElement, room: string, error?: string): Promise<{ room: string; name: string }> {
  root.replaceChildren();
  root.className = 'join';
  const form = h('form', 'join-form');
  const title = h('h1');
  title.textContent = 'Convene';
  const roomInput = h('input', 'room-input');
  roomInput.placeholder = 'Room name';
  roomInput.value = room;
  roomInput.required = true;
  roomInput.pattern = ROOM_PATTERN;
  const nameInput = h('input', 'name-input');
  nameInput.placeholder = 'Your name';
  nameInput.value = localStorage.getItem('convene-display-name') ?? `Guest ${Math.floor(Math.random() * 900 + 100)}`;
  const join = h('button', 'join-button');
  join.type = 'submit';
  join.textContent = 'Join';
  form.append(title, label('Room', roomInput), label('Name', nameInput), join);
  if (error !== undefined) {
    const e = h('div', 'status error');
    e.textContent = error;
    form.append(e);
  }
  root.append(form);
  return new Promise((resolve) => {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      localStorage.setItem('convene-display-name', nameInput.value.trim());
      resolve({ room: roomInput.value.trim().toLowerCase(), name: nameInput.value.trim() || 'Guest' });
    });
  });
}

function label(text: string, input: HTMLInputElement): HTMLLabelElement {
  const l = h('label');
  l.append(text, input);
  return l;
}
