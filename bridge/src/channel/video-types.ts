/**
 * Video types of names that are not (yet) among the endpoint's sources, kept at most. The type comes over the
 * channel and the source over Colibri2 from the focus, so the type may arrive first (JVB keeps such early types
 * too, in `videoTypeCache`, but without a bound). A client has a camera and maybe a screen share.
 */
export const MAX_EARLY_VIDEO_TYPES = 4;

/**
 * Stores `videoType` for `sourceName` in `types`, keeping every entry for one of `ownVideoSources` and only the
 * newest MAX_EARLY_VIDEO_TYPES others. Returns how many entries were evicted.
 */
export function storeVideoType(
  types: Map<string, string>,
  ownVideoSources: ReadonlySet<string>,
  sourceName: string,
  videoType: string,
): number {
  types.delete(sourceName); // re-inserted last: Map order is recency
  types.set(sourceName, videoType);
  let early = 0;
  for (const name of types.keys()) if (!ownVideoSources.has(name)) early++;
  let evicted = 0;
  for (const name of types.keys()) {
    if (early <= MAX_EARLY_VIDEO_TYPES) break;
    if (ownVideoSources.has(name)) continue;
    types.delete(name);
    early--;
    evicted++;
  }
  return evicted;
}
