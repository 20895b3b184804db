import { h } from './tile.js';

/**
 * Secure domain: the meeting has not started and only a logged-in user may start it. A small form over the call:
 * user name and password (on the XMPP domain), as jitsi-meet's login dialog; meanwhile the page keeps asking, so a
 * host starting the meeting lets everyone waiting in.
 */
export class LoginPrompt {
  readonly #form = h('form', 'login-form');
  readonly #error = h('div', 'status error login-error');
  readonly #button = h('button', 'login-button');
  #waiters: Array<(c: { username: string; password: string }) => void> = [];

  constructor(root: HTMLElement) {
    const text = h('p', 'login-text');
    text.textContent = 'This meeting has not started yet. Log in to start it, or wait for a host.';
    const user = h('input', 'login-user');
    user.placeholder = 'User name';
    user.autocomplete = 'username';
    user.required = true;
    const password = h('input', 'login-password');
    password.type = 'password';
    password.placeholder = 'Password';
    password.autocomplete = 'current-password';
    const button = this.#button;
    button.type = 'submit';
    button.textContent = 'Log in';
    this.#form.append(text, user, password, button, this.#error);
    this.#form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#error.textContent = '';
      const c = { username: user.value.trim(), password: password.value };
      for (const w of this.#waiters.splice(0)) w(c);
    });
    root.append(this.#form);
  }

  /** The next credentials submitted. */
  next(): Promise<{ username: string; password: string }> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  error(text: string): void {
    this.#error.textContent = text;
  }

  /** While a login runs: the button is off, so a second click cannot go unheard. */
  busy(on: boolean): void {
    this.#button.disabled = on;
    this.#button.textContent = on ? 'Logging in…' : 'Log in';
  }

  close(): void {
    this.#form.remove();
  }
}
