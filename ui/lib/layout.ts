/**
 * Pure layout helpers for the graph: the cache of positions that keeps every node where the user first saw
 * it (across views, filters, collapse and expand), placing the members of a group expanded in place, making
 * room around it without overlapping boxes, and checking that labels fit without overlapping.
 */

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box: centre and size. */
export interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Positions by node id, shared by every canvas of the page; only a re-layout asked for replaces them. */
export class PositionCache {
  readonly #at = new Map<string, Point>();

  get(id: string): Point | undefined {
    const p = this.#at.get(id);
    return p === undefined ? undefined : { ...p };
  }

  has(id: string): boolean {
    return this.#at.has(id);
  }

  set(id: string, p: Point): void {
    this.#at.set(id, { x: p.x, y: p.y });
  }

  /** Whether every one of these ids has a position. */
  knows(ids: Iterable<string>): boolean {
    for (const id of ids) if (!this.#at.has(id)) return false;
    return true;
  }

  /** The centre of the known positions of these ids, or undefined when none is known. */
  centre(ids: Iterable<string>): Point | undefined {
    let x = 0;
    let y = 0;
    let n = 0;
    for (const id of ids) {
      const p = this.#at.get(id);
      if (p === undefined) continue;
      x += p.x;
      y += p.y;
      n++;
    }
    return n === 0 ? undefined : { x: x / n, y: y / n };
  }

  ids(): IterableIterator<string> {
    return this.#at.keys();
  }

  clear(): void {
    this.#at.clear();
  }
}

/** Members of a group expanded in place: a compact grid centred on the group's position. */
export function gridAround(
  centre: Point,
  members: readonly { id: string; w: number }[],
  rowHeight = 56,
): Map<string, Point> {
  const out = new Map<string, Point>();
  if (members.length === 0) return out;
  const cols = Math.max(1, Math.ceil(Math.sqrt(members.length * 1.6)));
  const colWidth = Math.max(...members.map((m) => m.w)) + 30;
  const rows = Math.ceil(members.length / cols);
  const width = (Math.min(cols, members.length) - 1) * colWidth;
  const height = (rows - 1) * rowHeight;
  members.forEach((m, i) => {
    out.set(m.id, {
      x: centre.x - width / 2 + (i % cols) * colWidth,
      y: centre.y - height / 2 + Math.floor(i / cols) * rowHeight,
    });
  });
  return out;
}

function overlap(a: Box, b: Box, gap: number): { x: number; y: number } | null {
  const dx = (a.w + b.w) / 2 + gap - Math.abs(a.x - b.x);
  const dy = (a.h + b.h) / 2 + gap - Math.abs(a.y - b.y);
  return dx > 0 && dy > 0 ? { x: dx, y: dy } : null;
}

/**
 * Moves boxes apart so that none overlaps another (keeping `gap` between them), moving as little as it can:
 * the boxes in `fixed` never move; of two movable boxes both move half. Each pair is pushed along the axis
 * of least overlap, away from each other. Returns the new centres of the boxes that moved.
 */
export function separate(boxes: readonly Box[], fixed: ReadonlySet<string>, gap = 24): Map<string, Point> {
  const cur = boxes.map((b) => ({ ...b }));
  const moved = new Map<string, Point>();
  // About 20 million pair checks at most: a few hundred boxes converge long before; thousands stop there.
  const rounds = Math.max(20, Math.min(2000, Math.floor(2e7 / Math.max(1, cur.length ** 2))));
  for (let round = 0; round < rounds; round++) {
    let any = false;
    for (let i = 0; i < cur.length; i++) {
      for (let j = i + 1; j < cur.length; j++) {
        const a = cur[i]!;
        const b = cur[j]!;
        const o = overlap(a, b, gap);
        if (o === null) continue;
        const fa = fixed.has(a.id);
        const fb = fixed.has(b.id);
        if (fa && fb) continue;
        any = true;
        const share = fa || fb ? 1 : 0.5;
        const horizontal = o.x <= o.y;
        const sign = horizontal ? (b.x >= a.x ? 1 : -1) : b.y >= a.y ? 1 : -1;
        const amount = (horizontal ? o.x : o.y) + 0.5;
        for (const [box, dir, isFixed] of [
          [a, -sign, fa],
          [b, sign, fb],
        ] as const) {
          if (isFixed) continue;
          if (horizontal) box.x += dir * amount * share;
          else box.y += dir * amount * share;
          moved.set(box.id, { x: box.x, y: box.y });
        }
      }
    }
    if (!any) break;
  }
  return moved;
}

/** Whether any two of these boxes overlap (touching is fine). */
export function anyOverlap(boxes: readonly Box[]): boolean {
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i]!, boxes[j]!, 0) !== null) return true;
  return false;
}

/** The zoom from which edge labels are drawn: labels of this size (in model units) fit without overlap. */
export function labelsFit(labels: readonly Box[], obstacles: readonly Box[]): boolean {
  if (anyOverlap(labels)) return false;
  for (const l of labels) for (const o of obstacles) if (overlap(l, o, 0) !== null) return false;
  return true;
}

/** The zoom at which a node's 12-unit label reads at 11 px on screen: the least an overview starts at. */
export const READABLE_ZOOM = 11 / 12;

/**
 * An overview's first layout: the boxes on a grid in the order given (namespaces by name: found by eye, the
 * same on every load), with as many columns as fill the view's width at a readable zoom, and no more than
 * make the grid as wide as the view is (so that a small grid fills the view at the fitted zoom).
 */
export function readingGrid(
  boxes: readonly Box[],
  view: { w: number; h: number },
  gap = 20,
  minZoom = READABLE_ZOOM,
): Map<string, Point> {
  const out = new Map<string, Point>();
  if (boxes.length === 0) return out;
  const w = Math.max(...boxes.map((b) => b.w)) + gap;
  const h = Math.max(...boxes.map((b) => b.h)) + gap;
  const aspect = view.h > 0 ? view.w / view.h : 1.6;
  const filling = Math.ceil(Math.sqrt((boxes.length * aspect * h) / w));
  const readable = Math.floor(view.w / minZoom / w);
  const cols = Math.max(1, Math.min(filling, readable));
  boxes.forEach((b, i) => out.set(b.id, { x: (i % cols) * w, y: Math.floor(i / cols) * h }));
  return out;
}
