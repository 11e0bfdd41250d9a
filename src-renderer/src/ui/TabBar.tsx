/**
 * The tab bar (WAI-ARIA tabs pattern): arrow keys, Home and End move between tabs, the focused
 * tab is the only one in the Tab order. A row at the top on wide screens, a bar at the bottom
 * on phones (theme.css). Badges (unread messages) are read out with the label.
 */
import { For, Show, type Accessor, type JSX } from 'solid-js';

export interface TabDef {
  readonly id: string;
  readonly label: string;
  readonly icon: () => JSX.Element;
}

export function tabDomId(id: string): string {
  return `tab-${id}`;
}
export function panelDomId(id: string): string {
  return `panel-${id}`;
}

export function TabBar(props: {
  tabs: readonly TabDef[];
  active: Accessor<string>;
  onSelect: (id: string) => void;
  badge?: (id: string) => number;
}): JSX.Element {
  const buttons: HTMLButtonElement[] = [];
  const move = (from: number, delta: number | 'home' | 'end') => {
    const n = props.tabs.length;
    const to = delta === 'home' ? 0 : delta === 'end' ? n - 1 : (from + delta + n) % n;
    props.onSelect(props.tabs[to].id);
    buttons[to]?.focus();
  };
  const onKey = (i: number, e: KeyboardEvent) => {
    const keys: Partial<Record<string, number | 'home' | 'end'>> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
      Home: 'home',
      End: 'end',
    };
    const d = keys[e.key];
    if (d === undefined) return;
    e.preventDefault();
    move(i, d);
  };
  return (
    <nav class="tabbar" aria-label="HearthNet">
      <div role="tablist" aria-label="Parts of HearthNet" class="tablist">
        <For each={props.tabs}>
          {(tab, i) => {
            const count = () => props.badge?.(tab.id) ?? 0;
            return (
              <button
                ref={(el) => (buttons[i()] = el)}
                role="tab"
                type="button"
                id={tabDomId(tab.id)}
                class="tab"
                aria-selected={props.active() === tab.id ? 'true' : 'false'}
                aria-controls={panelDomId(tab.id)}
                tabIndex={props.active() === tab.id ? 0 : -1}
                onClick={() => props.onSelect(tab.id)}
                onKeyDown={(e) => onKey(i(), e)}
              >
                <span class="tab-icon" aria-hidden="true">
                  {tab.icon()}
                </span>
                <span class="tab-label">{tab.label}</span>
                <Show when={count() > 0}>
                  <span class="badge">
                    {count()}
                    <span class="visually-hidden"> unread</span>
                  </span>
                </Show>
              </button>
            );
          }}
        </For>
      </div>
    </nav>
  );
}
