/** The default params-compatibility rule (§21 of ../shared/spec/hearthnet-reference.md), used when a capability brings none. */
import { canonicalJson } from '../../common';
import type { ParamsPredicate } from './entry';

function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false; // values that cannot be encoded canonically never match anything
  }
}

/**
 * Every requested key must be satisfied by the offered value:
 * - offered number, requested number: requested <= offered (capacities like `ctx`, `k_max`);
 * - offered array, requested array: requested is a subset (`modalities`, `corpora_available`);
 * - offered array, requested scalar: the array contains it;
 * - otherwise: equal (canonical JSON).
 * A requested key the instance does not offer makes it incompatible.
 */
export const defaultParamsCompatible: ParamsPredicate = (offered, requested) => {
  for (const [k, want] of Object.entries(requested)) {
    if (!(k in offered)) return false;
    const have = offered[k];
    if (typeof have === 'number' && typeof want === 'number') {
      if (want > have) return false;
    } else if (Array.isArray(have)) {
      const wants = Array.isArray(want) ? want : [want];
      if (!wants.every((w) => have.some((h) => same(h, w)))) return false;
    } else if (!same(have, want)) {
      return false;
    }
  }
  return true;
};
