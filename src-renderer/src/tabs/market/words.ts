/** The market's categories and durations in household words. */
import type { MarketCategory } from '../../../../src-main/runtime/api';

export const CATEGORY_WORDS: Record<MarketCategory, { label: string; plural: string; explain: string }> = {
  offer: { label: 'Offer', plural: 'Offers', explain: 'Something you can lend, give or do for a neighbour.' },
  request: { label: 'Request', plural: 'Requests', explain: 'Something you need or would like to borrow.' },
  info: { label: 'Notice', plural: 'Notices', explain: 'News for the street: a lost cat, a road closed, a meeting.' },
  emergency: { label: 'Emergency', plural: 'Emergency', explain: 'Urgent help or a danger. Shown first to everyone.' },
};

export const CATEGORIES: readonly MarketCategory[] = ['offer', 'request', 'info', 'emergency'];

export const DURATIONS: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 86_400, label: '1 day' },
  { seconds: 3 * 86_400, label: '3 days' },
  { seconds: 7 * 86_400, label: '1 week' },
  { seconds: 14 * 86_400, label: '2 weeks' },
  { seconds: 30 * 86_400, label: '30 days' },
];
export const DEFAULT_DURATION = 7 * 86_400;

export const TITLE_MAX = 120;
export const BODY_MAX = 4000;
export const TAGS_MAX = 10;
export const TAG_MAX = 64;

/** "tools, garden" -> ['tools', 'garden'] (blank pieces dropped, duplicates removed). */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}
