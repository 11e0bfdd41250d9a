/**
 * The six tabs of the app. Each lives in `tabs/<Name>.tsx` (default export, no props) and is
 * loaded when first opened. Found with import.meta.glob, so a tab whose file has not landed
 * yet shows a plain "not ready" note instead of breaking the build.
 */
import type { Component, JSX } from 'solid-js';
import { AskIcon, ChatIcon, EmergencyIcon, FilesIcon, MarketIcon, SettingsIcon } from '../ui/icons';

export interface AppTab {
  readonly id: string;
  readonly label: string;
  /** One line saying what the tab is for (UI-GUIDE: every screen says it). */
  readonly purpose: string;
  readonly icon: () => JSX.Element;
  /** Loads the tab's module, or undefined when its file is not in this build. */
  readonly load: (() => Promise<{ default: Component }>) | undefined;
}

const modules = import.meta.glob<{ default: Component }>('../tabs/*.tsx');
const loader = (name: string) => modules[`../tabs/${name}.tsx`];

export const TABS: readonly AppTab[] = [
  {
    id: 'ask',
    label: 'Ask',
    purpose: "Ask a question; the street's computers answer.",
    icon: AskIcon,
    load: loader('Ask'),
  },
  {
    id: 'chat',
    label: 'Chat',
    purpose: 'Write to your neighbours, even when the internet is down.',
    icon: ChatIcon,
    load: loader('Chat'),
  },
  {
    id: 'market',
    label: 'Market',
    purpose: 'Offer, ask for and find things on your street.',
    icon: MarketIcon,
    load: loader('Market'),
  },
  { id: 'files', label: 'Files', purpose: 'Share files with your neighbours.', icon: FilesIcon, load: loader('Files') },
  {
    id: 'emergency',
    label: 'Emergency',
    purpose: 'What works when the internet is down, and who is reachable.',
    icon: EmergencyIcon,
    load: loader('Emergency'),
  },
  {
    id: 'settings',
    label: 'Settings',
    purpose: 'Your household, your street, models and documents.',
    icon: SettingsIcon,
    load: loader('Settings'),
  },
];

export const DEFAULT_TAB = 'ask';

export function tabFromHash(hash: string): string {
  const id = hash.replace(/^#\/?/, '');
  return TABS.some((t) => t.id === id) ? id : DEFAULT_TAB;
}
