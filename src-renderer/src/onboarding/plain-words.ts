/** Every onboarding failure in plain words, with what to do next (UI-GUIDE: the code goes in Details). */
import type { OnboardingErrorCode } from '../../../src-main/runtime/api';

export interface PlainError {
  readonly title: string;
  readonly next: string;
  /** The wire or domain code, for the Details disclosure. */
  readonly code: string;
  readonly detail: string;
}

const WORDS: Record<OnboardingErrorCode, { title: string; next: string }> = {
  join_code_invalid: {
    title: "This doesn't look like a HearthNet join code, or part of it is missing.",
    next: 'Scan the code again, or copy the whole link your neighbour sent. Nothing was changed.',
  },
  join_code_expired: {
    title: 'This join code has expired.',
    next: 'Ask your neighbour to show a new code on their "Invite a neighbour" screen. Nothing was changed.',
  },
  join_code_used: {
    title: 'Someone has already joined with this code. Each code works once.',
    next: "Ask your neighbour for a new code. If you haven't joined before, tell them: someone else used it. Nothing was changed here.",
  },
  join_code_unknown: {
    title: "Your neighbour's HearthNet doesn't recognise this code.",
    next: 'It may have been changed, cancelled, or their computer restarted. Ask them for a new code. Nothing was changed.',
  },
  invite_invalid: {
    title: "This invite can't be used.",
    next: 'Ask your neighbour for a new invite. Nothing was changed.',
  },
  invite_expired: { title: 'This invite has expired.', next: 'Ask your neighbour for a new one. Nothing was changed.' },
  invitee_mismatch: {
    title: 'This invite was made for a different computer.',
    next: 'Ask your neighbour to show you a join code instead. Nothing was changed.',
  },
  bootstrap_unreachable: {
    title: "We couldn't reach your neighbour's computer.",
    next: 'Make sure you are both on the same network and their HearthNet is open, then try again.',
  },
  community_manifest_invalid: {
    title: "Your neighbour's computer sent something we can't trust.",
    next: 'Try again on your home network. If it keeps happening, ask your neighbour for a new code.',
  },
  sync_failed: {
    title: "We reached your neighbour but couldn't copy the street's records.",
    next: 'Try again in a moment. Nothing was lost.',
  },
  already_member: {
    title: 'This household already belongs to a community.',
    next: 'A household is in one community at a time. Nothing was changed.',
  },
};

interface ErrorLike {
  message?: string;
  data?: { domain?: string; wire?: { code?: string; message?: string } } | null;
}

/** The plain-words version of a failed onboarding call. */
export function plainError(err: unknown): PlainError {
  const e = (err ?? {}) as ErrorLike;
  const domain = e.data?.domain;
  const detail = e.data?.wire?.message ?? e.message ?? String(err);
  if (domain && domain in WORDS) return { ...WORDS[domain as OnboardingErrorCode], code: domain, detail };
  const wire = e.data?.wire?.code ?? 'unknown';
  if (wire === 'invalid_signature')
    return {
      title: "This page isn't connected to your HearthNet.",
      next: 'Open HearthNet from this computer with `hearthnet open` (or the desktop app). Nothing was changed.',
      code: wire,
      detail,
    };
  if (/fetch|network/i.test(detail))
    return {
      title: "Your HearthNet isn't answering.",
      next: 'Make sure HearthNet is running on this computer, then try again.',
      code: wire,
      detail,
    };
  return {
    title: 'That did not work.',
    next: 'Try again. If it keeps happening, restart HearthNet. Nothing was lost.',
    code: wire,
    detail,
  };
}
