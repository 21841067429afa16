// A list that renders only the rows in view (plus a margin), so a job with 10,000 allocations costs as much to
// draw as one with forty. Rows have one fixed height; the list scrolls inside its own box.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { visibleRange } from './visible-range.ts';

/** Props of VirtualList. */
export interface VirtualListProps<T> {
  items: T[];
  rowHeight: number;
  /** The box's height in px. */
  height: number;
  row(item: T, index: number): VNode;
  /** Index of the keyboard selection, kept in view. */
  selected?: number;
  testId?: string;
}

/** A virtualized list. */
export function VirtualList<T>(p: VirtualListProps<T>): VNode {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el || p.selected === undefined || p.selected < 0) return;
    const y = p.selected * p.rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + p.rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + p.rowHeight - el.clientHeight;
  }, [p.selected]);
  const [first, end] = visibleRange(p.items.length, p.rowHeight, p.height, top);
  const rows: VNode[] = [];
  for (let i = first; i < end; i++) rows.push(p.row(p.items[i]!, i));
  return html`<div class="vlist" ref=${box} data-testid=${p.testId} data-count=${p.items.length} style=${{ height: `${Math.min(p.height, Math.max(p.items.length, 1) * p.rowHeight)}px` }} onScroll=${(e: Event) => setTop((e.target as HTMLElement).scrollTop)}>
    <div style=${{ height: `${p.items.length * p.rowHeight}px`, position: 'relative' }}>
      <div style=${{ position: 'absolute', top: `${first * p.rowHeight}px`, left: 0, right: 0 }}>${rows}</div>
    </div>
  </div>` as VNode;
}
