import { h } from './tile.js';

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
  roomInput.pattern = '[a-zA-Z0-9_.-]+';
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
