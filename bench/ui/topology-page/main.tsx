/**
 * bench/ui topology page: the app's TopologyGraph with a synthetic street of N households (from
 * `?n=`), calls pushed continuously between linked households, and the frame rate measured with
 * requestAnimationFrame. The result lands in `window.benchResult` for bench/ui.ts to read.
 */
import { render } from 'solid-js/web';
import '../../../src-renderer/src/theme.css';
import type { LiveCall, StreetGraph } from '../../../src-renderer/src/topology/model';
import { TopologyGraph } from '../../../src-renderer/src/topology/TopologyGraph';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 50);
const CALLS_PER_S = Number(params.get('calls') ?? 40);
const WARMUP_MS = 1_000;
const MEASURE_MS = Number(params.get('ms') ?? 5_000);

/** A small deterministic PRNG, so every run draws the same street. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const rnd = prng(42);
const caps = ['llm.chat@1.0', 'rag.query@1.0', 'chat.deliver@1.0', 'market.list@1.0', 'files.get@1.0'];
const households = Array.from({ length: N }, (_, i) => ({
  id: `h${i}`,
  name: `House ${i + 1}`,
  isSelf: i === 0,
  online: rnd() > 0.1,
  capabilities: caps.filter(() => rnd() > 0.4),
  models: [],
  collections: [],
}));
const links: { from: string; to: string }[] = [];
for (let i = 1; i < N; i++) {
  links.push({ from: 'h0', to: `h${i}` });
  const j = Math.floor(rnd() * N);
  if (j !== i) links.push({ from: `h${i}`, to: `h${j}` });
}
const graph: StreetGraph = { households, links };

let push: ((c: LiveCall) => void) | null = null;
render(
  () => <TopologyGraph graph={graph} reducedMotion={false} connectCalls={(p) => (push = p)} />,
  document.getElementById('root')!,
);

// calls=0 is the baseline: the same street, nothing travelling.
const callTimer =
  CALLS_PER_S <= 0
    ? undefined
    : setInterval(() => {
        const l = links[Math.floor(rnd() * links.length)];
        push?.({ from: l.from, to: l.to, capability: caps[Math.floor(rnd() * caps.length)], ok: rnd() > 0.05 });
      }, 1000 / CALLS_PER_S);

const frames: number[] = [];
let start = 0;
function frame(t: number): void {
  if (start === 0) start = t;
  if (t - start >= WARMUP_MS) frames.push(t);
  if (frames.length > 0 && t - frames[0] >= MEASURE_MS) {
    clearInterval(callTimer);
    const gaps = frames
      .slice(1)
      .map((f, i) => f - frames[i])
      .sort((a, b) => a - b);
    const seconds = (frames[frames.length - 1] - frames[0]) / 1000;
    (window as unknown as { benchResult: unknown }).benchResult = {
      households: N,
      fps: (frames.length - 1) / seconds,
      p95_frame_ms: gaps[Math.floor(gaps.length * 0.95)],
      max_frame_ms: gaps[gaps.length - 1],
      long_frames: gaps.filter((g) => g > 1000 / 30).length,
      dots_on_screen: document.querySelectorAll('.topo-call').length,
    };
    return;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
