// Which rows of a virtualized list to draw (no DOM here: tested in pkg/dashboard/ui-logic.test.ts).

/** Rows drawn beyond each edge of the box, so a quick scroll does not show blank space. */
export const OVERSCAN = 8;

/** The rows of `count` × `rowHeight` px to draw for a box of `height` px scrolled to `scrollTop`: [first, end). */
export function visibleRange(count: number, rowHeight: number, height: number, scrollTop: number): [number, number] {
  const first = Math.min(count, Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN));
  const end = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  return [first, Math.max(first, end)];
}
