/**
 * Where each household sits: a d3-force layout computed to rest in one go (no drifting graph that
 * re-renders every tick), starting from the previous positions so a new neighbour does not
 * reshuffle the street. Coordinates are in the SVG's viewBox.
 */
import {
  forceCenter,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';
import type { StreetGraph } from './model';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface ViewSize {
  readonly width: number;
  readonly height: number;
}
/** Wide screens get a landscape drawing, phones a portrait one (so labels stay readable at 390 px). */
export const WIDE: ViewSize = { width: 640, height: 420 };
export const NARROW: ViewSize = { width: 360, height: 420 };
const MARGIN = 40;

interface SimNode extends SimulationNodeDatum {
  id: string;
}

const TICKS = 220;

/** Positions for every household of `graph`, keeping those of `previous` as starting points. */
export function layoutStreet(
  graph: StreetGraph,
  view: ViewSize,
  previous: ReadonlyMap<string, Point> = new Map(),
): Map<string, Point> {
  const n = graph.households.length;
  const cx = view.width / 2;
  const cy = view.height / 2;
  const nodes: SimNode[] = graph.households.map((h, i) => {
    const p = previous.get(h.id);
    if (p) return { id: h.id, x: p.x, y: p.y };
    // New ones start on a circle (deterministic: the same street lays out the same way).
    const a = (2 * Math.PI * i) / Math.max(1, n);
    return { id: h.id, x: cx + 120 * Math.cos(a), y: cy + 120 * Math.sin(a) };
  });
  const ids = new Set(nodes.map((d) => d.id));
  const links: SimulationLinkDatum<SimNode>[] = graph.links
    .filter((l) => ids.has(l.from) && ids.has(l.to))
    .map((l) => ({ source: l.from, target: l.to }));
  const spread = Math.min(160, 30 + 900 / Math.max(1, n));
  const sim = forceSimulation(nodes)
    .force(
      'link',
      forceLink<SimNode, SimulationLinkDatum<SimNode>>(links)
        .id((d) => d.id)
        .distance(spread)
        .strength(0.4),
    )
    .force('charge', forceManyBody().strength(-Math.max(60, 900 / Math.sqrt(Math.max(1, n)))))
    .force('collide', forceCollide(26))
    .force('center', forceCenter(cx, cy))
    .stop();
  sim.tick(previous.size > 0 ? TICKS / 2 : TICKS);
  return fitInto(nodes, view);
}

/** Scale the laid-out points into the viewBox with a margin for labels. */
function fitInto(nodes: readonly SimNode[], view: ViewSize): Map<string, Point> {
  const out = new Map<string, Point>();
  if (nodes.length === 0) return out;
  const xs = nodes.map((d) => d.x ?? 0);
  const ys = nodes.map((d) => d.y ?? 0);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const w = Math.max(1, maxX - minX);
  const h = Math.max(1, maxY - minY);
  const scale = Math.min((view.width - 2 * MARGIN) / w, (view.height - 2 * MARGIN) / h, 1.6);
  const ox = (view.width - w * scale) / 2;
  const oy = (view.height - h * scale) / 2;
  for (const d of nodes) out.set(d.id, { x: ox + ((d.x ?? 0) - minX) * scale, y: oy + ((d.y ?? 0) - minY) * scale });
  return out;
}
