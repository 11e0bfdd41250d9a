/** Documented limits of a post (docs/protocol/marketplace.md). Lengths count Unicode code points. */
export const POST_LIMITS = Object.freeze({
  titleMin: 3,
  titleMax: 120,
  bodyMax: 4000,
  tagsMax: 10,
  tagMin: 1,
  tagMax: 32,
  labelMax: 120,
  /** A post that lives under a minute is almost surely a mistake. */
  ttlMinSeconds: 60,
});

/** What a tag is made of once trimmed and lower-cased. */
export const TAG_PATTERN = /^[a-z0-9-]+$/;
