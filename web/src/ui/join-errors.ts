// What the page says when it cannot join: the MUC's refusal of its presence, or a failed conference request.

/** The room refused our presence with this condition (XEP-0045 §7.2). */
export function joinError(condition: string): string {
  if (condition === 'not-authorized') return 'This room is locked with a password.';
  if (condition === 'service-unavailable') return 'This room is full.';
  if (condition === 'registration-required') return 'This room is members-only.';
  if (condition === 'not-allowed') return 'The room does not exist yet and you may not create it.';
  return `The room refused the join (${condition}).`;
}

/** A failure's XMPP condition, or its message. */
export function describeJoinFailure(err: unknown): string {
  const c = (err as { condition?: string }).condition;
  return c ?? (err as Error).message ?? String(err);
}
