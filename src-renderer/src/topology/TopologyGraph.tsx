/**
 * The street as a graph: one circle per household (keyboard-focusable, labelled), lines for who
 * reaches whom, and a dot travelling along a line for each live call. Under
 * `prefers-reduced-motion` nothing moves: the line of a call is highlighted for a moment instead.
 * Pure view: the app feeds it from the node (StreetTopology), bench/ui from synthetic data.
 */
import { createMemo, createSignal, For, onCleanup, onMount, Show, type Accessor, type JSX } from 'solid-js';
import { layoutStreet, NARROW, WIDE, type Point, type ViewSize } from './layout';
import { callWord, whatItOffers, type LiveCall, type StreetGraph } from './model';
import './topology.css';

/** How long a call's dot travels (ms); a highlighted line (reduced motion) stays twice as long. */
export const CALL_MS = 900;
const MAX_ACTIVE = 200;
const SAY_EVERY_MS = 1_000;

interface ActiveCall extends LiveCall {
  readonly key: number;
  readonly started: number;
}

export interface TopologyGraphProps {
  readonly graph: StreetGraph;
  /** Register the sink for live calls; the graph calls it once. */
  readonly connectCalls?: (push: (call: LiveCall) => void) => void;
  /** Force reduced motion (tests); default: the system setting. */
  readonly reducedMotion?: boolean;
  readonly label?: string;
}

function prefersReducedMotion(): Accessor<boolean> {
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;
  const [reduced, setReduced] = createSignal(mq?.matches ?? false);
  const onChange = () => setReduced(mq?.matches ?? false);
  mq?.addEventListener('change', onChange);
  onCleanup(() => mq?.removeEventListener('change', onChange));
  return reduced;
}

export function TopologyGraph(props: TopologyGraphProps): JSX.Element {
  const system = prefersReducedMotion();
  const reduced = () => props.reducedMotion ?? system();
  const [view, setView] = createSignal<ViewSize>(WIDE);
  let figure: HTMLElement | undefined;
  const observer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(([e]) => setView(e.contentRect.width < 520 ? NARROW : WIDE))
      : null;
  onMount(() => figure && observer?.observe(figure));
  onCleanup(() => observer?.disconnect());
  let positions = new Map<string, Point>();
  let laidOutFor: ViewSize | null = null;
  const layout = createMemo(() => {
    const v = view();
    positions = layoutStreet(props.graph, v, laidOutFor === v ? positions : new Map());
    laidOutFor = v;
    return positions;
  });
  const names = createMemo(() => new Map(props.graph.households.map((h) => [h.id, h.name])));
  const [active, setActive] = createSignal<ActiveCall[]>([]);
  const [focused, setFocused] = createSignal<string | null>(null);
  const [lastCall, setLastCall] = createSignal('');
  let key = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  // A call stays in `active` for as long as its dot travels (or its line is lit, twice as long,
  // under reduced motion); the dot itself moves by the Web Animations API, not by a render per frame.
  // The sentence under the graph (a live region) changes at most once a second: a busy street
  // would otherwise make a screen reader talk non-stop, and re-lay the caption 40 times a second.
  let pendingWords: string | null = null;
  let wordsTimer: ReturnType<typeof setTimeout> | undefined;
  const sayCall = (words: string) => {
    if (wordsTimer !== undefined) return void (pendingWords = words);
    setLastCall(words);
    wordsTimer = setTimeout(function flush() {
      wordsTimer = undefined;
      if (pendingWords !== null) {
        sayCall(pendingWords);
        pendingWords = null;
      }
    }, SAY_EVERY_MS);
  };
  onCleanup(() => clearTimeout(wordsTimer));

  const push = (call: LiveCall) => {
    if (call.from === call.to || !layout().has(call.from) || !layout().has(call.to)) return;
    const c: ActiveCall = { ...call, key: ++key, started: performance.now() };
    setActive((list) => [...list.slice(-(MAX_ACTIVE - 1)), c]);
    sayCall(
      `${names().get(call.from) ?? 'A household'} asked ${names().get(call.to) ?? 'a neighbour'}: ${callWord(call.capability)}${call.ok ? '' : ' (it did not work)'}`,
    );
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        setActive((list) => list.filter((x) => x.key !== c.key));
      },
      CALL_MS * (reduced() ? 2 : 1),
    );
    timers.add(timer);
  };
  props.connectCalls?.(push);
  onCleanup(() => timers.forEach(clearTimeout));

  const links = createMemo(() => {
    const pos = layout();
    // One line per pair, whichever direction(s) the node reported.
    const seen = new Map<string, { from: string; to: string }>();
    for (const l of props.graph.links) {
      if (!pos.has(l.from) || !pos.has(l.to) || l.from === l.to) continue;
      const k = l.from < l.to ? `${l.from} ${l.to}` : `${l.to} ${l.from}`;
      if (!seen.has(k)) seen.set(k, l);
    }
    return [...seen.values()];
  });
  const pairKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  // Lit lines stand in for moving dots under reduced motion only (fewer repaints when dots move).
  const busy = createMemo(() => (reduced() ? new Set(active().map((c) => pairKey(c.from, c.to))) : new Set<string>()));
  /** Start a dot's trip from caller to callee. */
  const travel = (el: SVGCircleElement, c: ActiveCall) => {
    const p = layout().get(c.from);
    const q = layout().get(c.to);
    if (!p || !q) return; // a household no longer drawn: no trip to show
    el.animate([{ transform: `translate(${p.x}px, ${p.y}px)` }, { transform: `translate(${q.x}px, ${q.y}px)` }], {
      duration: CALL_MS,
      easing: 'ease-in-out',
      fill: 'forwards',
    });
  };
  const chosen = () => props.graph.households.find((h) => h.id === focused()) ?? null;

  return (
    <figure class="topology" ref={figure}>
      <svg
        viewBox={`0 0 ${view().width} ${view().height}`}
        role="group"
        aria-label={props.label ?? 'Your street: households and what they share'}
      >
        <g class="topo-links" aria-hidden="true">
          <For each={links()}>
            {(l) => {
              const p = () => layout().get(l.from);
              const q = () => layout().get(l.to);
              return (
                <Show when={p() && q()}>
                  <line
                    x1={p()?.x}
                    y1={p()?.y}
                    x2={q()?.x}
                    y2={q()?.y}
                    class="topo-link"
                    classList={{ 'topo-link-busy': reduced() && busy().has(pairKey(l.from, l.to)) }}
                  />
                </Show>
              );
            }}
          </For>
        </g>
        <g class="topo-nodes">
          <For each={props.graph.households}>
            {(h) => {
              const p = () => layout().get(h.id) ?? { x: view().width / 2, y: view().height / 2 };
              const offers = () => whatItOffers(h.capabilities);
              const label = () =>
                `${h.name}${h.isSelf ? ' (this household)' : ''}, ${h.online ? 'reachable' : 'not reachable now'}${offers().length ? `; ${offers().join(', ')}` : ''}`;
              return (
                <g
                  class="topo-node"
                  classList={{ 'topo-self': h.isSelf, 'topo-away': !h.online, 'topo-focused': focused() === h.id }}
                  transform={`translate(${p().x.toFixed(1)} ${p().y.toFixed(1)})`}
                  tabindex="0"
                  role="button"
                  aria-label={label()}
                  aria-pressed={focused() === h.id}
                  onFocus={() => setFocused(h.id)}
                  onClick={() => setFocused(h.id)}
                  onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setFocused(h.id))}
                >
                  <circle r={h.isSelf ? 17 : 14} />
                  <Show when={!h.online}>
                    <line x1="-7" y1="-7" x2="7" y2="7" class="topo-away-mark" />
                  </Show>
                  <text y={h.isSelf ? 32 : 29} text-anchor="middle">
                    {h.name}
                  </text>
                </g>
              );
            }}
          </For>
        </g>
        <g class="topo-calls" aria-hidden="true">
          <For each={reduced() ? [] : active()}>
            {(c) => (
              <circle class="topo-call" classList={{ 'topo-call-failed': !c.ok }} r="5" ref={(el) => travel(el, c)} />
            )}
          </For>
        </g>
      </svg>
      <figcaption>
        <p class="topo-live" aria-live="polite" data-testid="topology-last-call">
          {lastCall() || 'When households ask each other for something, you see it travel here.'}
        </p>
        <Show when={chosen()}>
          {(h) => (
            <p class="topo-detail">
              <strong>{h().name}</strong>
              {h().isSelf ? ' (this household)' : ''}: {h().online ? 'reachable' : 'not reachable right now'}.{' '}
              {whatItOffers(h().capabilities).length
                ? `Offers: ${whatItOffers(h().capabilities).join(', ')}.`
                : 'Offers nothing to the street yet.'}
              {h().models.length ? ` Models: ${h().models.join(', ')}.` : ''}
              {h().collections.length ? ` Documents: ${h().collections.join(', ')}.` : ''}
            </p>
          )}
        </Show>
      </figcaption>
    </figure>
  );
}
