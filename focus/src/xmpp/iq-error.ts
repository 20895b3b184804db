import type { Element } from 'ltx';
import { ConveneError } from '@convene/protocol/lib';

/** An IQ we sent was answered with an error, or not answered in time (`condition` is then `timeout`). */
export class IqError extends ConveneError {
  readonly condition: string;
  readonly text: string | undefined;
  /** The `<error>` element, for application-specific conditions (e.g. Colibri2 `reason`). */
  readonly element: Element | undefined;
  constructor(condition: string, text: string | undefined, element: Element | undefined, options?: ErrorOptions) {
    super('iq-error', text === undefined ? condition : `${condition}: ${text}`, options);
    this.condition = condition;
    this.text = text;
    this.element = element;
  }
}
