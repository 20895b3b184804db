import type { ChannelMessage } from '@convene/protocol/channel';
import { constraintsForLayout, type ReceiverLayout } from './receiver-constraints.js';
import { configureEncodings } from './simulcast.js';

export interface VideoQualityDeps {
  send(m: ChannelMessage): void;
  /** What the page shows now. */
  layout(): Omit<ReceiverLayout, 'override' | 'hidden' | 'lastN'>;
  /** Our camera's capture height (the top encoding's). */
  captureHeight: number;
  /** The codec we send (vp9/av1: one SVC encoding, else three simulcast encodings). */
  videoCodec: string;
  /** A fixed receive height (page parameter `receiveHeight`). */
  receiveHeight?: number;
  /** At most this many videos (page parameter `lastN`). */
  lastN?: number;
  onError(what: string, err: unknown): void;
}

/**
 * Both directions of video quality over the bridge channel: ReceiverVideoConstraints from our layout (sent when
 * it changes), and SenderSourceConstraints from the bridge applied to our simulcast encodings.
 */
export class VideoQuality {
  readonly #deps: VideoQualityDeps;
  #override: number | undefined;
  #lastSent = '';
  #sender: RTCRtpSender | undefined;
  #senderMaxHeight = -1;
  /** The setParameters chain (never rejects). */
  #applying: Promise<void> = Promise.resolve();
  readonly #onChange = () => this.update();

  constructor(deps: VideoQualityDeps) {
    this.#deps = deps;
    this.#override = deps.receiveHeight;
    document.addEventListener('visibilitychange', this.#onChange);
    addEventListener('resize', this.#onChange);
  }

  /** Asks every source at `height` from now on (undefined: back to the layout). */
  setReceiveHeight(height: number | undefined): void {
    this.#override = height;
    this.update();
  }

  /** Sends the constraints if they changed (force: again, e.g. on a new channel). */
  update(force = false): void {
    const m = constraintsForLayout({
      ...this.#deps.layout(),
      hidden: document.hidden,
      override: this.#override,
      lastN: this.#deps.lastN,
    });
    const key = JSON.stringify(m);
    if (!force && key === this.#lastSent) return;
    this.#lastSent = key;
    this.#deps.send(m);
  }

  setSender(sender: RTCRtpSender): void {
    this.#sender = sender;
    this.#applySender();
  }

  /** The bridge says the highest height anyone needs of our source (0: nobody watches). */
  onSenderConstraints(maxHeight: number): void {
    this.#senderMaxHeight = maxHeight;
    this.#applySender();
  }

  close(): void {
    document.removeEventListener('visibilitychange', this.#onChange);
    removeEventListener('resize', this.#onChange);
  }

  #applySender(): void {
    const s = this.#sender;
    if (s === undefined) return;
    // One setParameters at a time, each on fresh getParameters (a second one in flight, or a renegotiation in
    // between, makes Chromium refuse the older parameters); a refused one is tried once more.
    const apply = () => configureEncodings(s, this.#senderMaxHeight, this.#deps.captureHeight, this.#deps.videoCodec);
    this.#applying = this.#applying
      .then(() => apply().catch(apply))
      .then(
        () => undefined,
        (err: unknown) => this.#deps.onError('simulcast encodings', err),
      );
  }
}
