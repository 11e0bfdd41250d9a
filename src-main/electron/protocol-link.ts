/**
 * `hearthnet://` links: the app is the OS handler for the scheme, so clicking an invite opens the
 * app and starts joining. A link arrives in argv (Windows, Linux: a new process, whose argv the
 * single-instance lock forwards to the first) or through `open-url` (macOS). This module finds and
 * checks it; the onboarding flow (the joining issue's) decides what it means.
 */

export const PROTOCOL_SCHEME = 'hearthnet';
const PREFIX = `${PROTOCOL_SCHEME}://`;
/** Invites are a few hundred characters; anything much longer is not ours. */
export const MAX_LINK_LENGTH = 8_192;

export interface HearthnetLink {
  /** `invite`: a signed invite (`hearthnet://v1/<base64url>`); `other`: any other hearthnet:// link, passed on for onboarding to interpret. */
  readonly kind: 'invite' | 'other';
  /** The link exactly as received, trimmed. */
  readonly url: string;
}

/** Checks one candidate string; returns null for anything that is not a well-formed hearthnet:// link. */
export function parseHearthnetLink(raw: unknown): HearthnetLink | null {
  if (typeof raw !== 'string') return null;
  const url = raw.trim();
  if (url.length <= PREFIX.length || url.length > MAX_LINK_LENGTH) return null;
  if (url.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return null;
  // Control characters, spaces and quotes never appear in our links; refusing them keeps a crafted
  // link from smuggling anything into the page or the log.
  if (!/^[\x21-\x7e]+$/.test(url) || /["'<>\\`]/.test(url)) return null;
  const rest = url.slice(PREFIX.length);
  return /^v1\/[A-Za-z0-9_-]+$/.test(rest)
    ? { kind: 'invite', url: PREFIX + rest }
    : { kind: 'other', url: PREFIX + rest };
}

/** The last hearthnet:// link among the arguments of a (second) launch, or null. */
export function findHearthnetLink(argv: readonly string[]): HearthnetLink | null {
  for (let i = argv.length - 1; i >= 0; i--) {
    const link = parseHearthnetLink(argv[i]);
    if (link) return link;
  }
  return null;
}

/**
 * Holds links until the window's onboarding flow listens, then hands each to every listener once.
 * A link clicked before the window exists (the app was launched by it) is not lost.
 */
export class LinkForwarder {
  private pending: HearthnetLink[] = [];
  private readonly listeners = new Set<(link: HearthnetLink) => void>();
  /** At most this many links wait for a listener (the newest are kept). */
  static readonly MAX_PENDING = 8;

  forward(link: HearthnetLink): void {
    if (this.listeners.size === 0) {
      this.pending.push(link);
      if (this.pending.length > LinkForwarder.MAX_PENDING) this.pending.shift();
      return;
    }
    for (const l of this.listeners) l(link);
  }

  /** Delivers what waited, then every new link; returns the unsubscribe. */
  listen(listener: (link: HearthnetLink) => void): () => void {
    this.listeners.add(listener);
    const waiting = this.pending;
    this.pending = [];
    for (const link of waiting) listener(link);
    return () => {
      this.listeners.delete(listener);
    };
  }

  pendingCount(): number {
    return this.pending.length;
  }
}
