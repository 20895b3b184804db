import type { ReceiverVideoConstraints } from '@convene/protocol/channel';

/** Heights we ask for, as jitsi-meet's quality levels. */
const LADDER = [180, 360, 720];

export interface ReceiverLayout {
  /** The tab is hidden: nothing needs decoding. */
  hidden: boolean;
  /** Every other person's video source and the height its tile shows it at (CSS pixels × device ratio). */
  remotes: ReadonlyArray<{ sourceName: string; shownHeight: number }>;
  /** A fixed height for every source (the `receiveHeight` page parameter, for tests and slow links). */
  override?: number;
  /** How many videos at most (the `lastN` page parameter); -1 for all. */
  lastN?: number;
}

/** The smallest quality level at least `px` tall (720 at most). */
export function ladderHeight(px: number): number {
  return LADDER.find((h) => h >= px) ?? LADDER[LADDER.length - 1]!;
}

/**
 * ReceiverVideoConstraints from what the page shows (PROTOCOL.md §7.4): with one other person, that person on
 * stage at 720p; in a grid, each tile at the height it is shown; in a hidden tab, nothing.
 */
export function constraintsForLayout(l: ReceiverLayout): ReceiverVideoConstraints {
  if (l.hidden)
    return {
      colibriClass: 'ReceiverVideoConstraints',
      defaultConstraints: { maxHeight: 0 },
      constraints: {},
      onStageSources: [],
    };
  const lastN = l.lastN ?? -1;
  if (l.override !== undefined)
    return {
      colibriClass: 'ReceiverVideoConstraints',
      lastN,
      defaultConstraints: { maxHeight: l.override },
      constraints: {},
      onStageSources: [],
    };
  if (l.remotes.length === 1) {
    const name = l.remotes[0]!.sourceName;
    return {
      colibriClass: 'ReceiverVideoConstraints',
      lastN,
      onStageSources: [name],
      defaultConstraints: { maxHeight: 180 },
      constraints: { [name]: { maxHeight: 720 } },
    };
  }
  const constraints: Record<string, { maxHeight: number }> = {};
  for (const r of l.remotes) constraints[r.sourceName] = { maxHeight: ladderHeight(r.shownHeight) };
  return {
    colibriClass: 'ReceiverVideoConstraints',
    lastN,
    onStageSources: [],
    defaultConstraints: { maxHeight: 180 },
    constraints,
  };
}
