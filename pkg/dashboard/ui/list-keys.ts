// Keyboard navigation of a page's main list: j / k (or the arrow keys) move the selection, Enter opens it.
// Keys typed into a field are the field's, and Enter on a focused link or button is that element's.
import { useEffect, useState } from 'preact/hooks';

/** The selected index of a list of `count` rows; Enter calls `open(index)`. */
export function useListKeys(count: number, open: (index: number) => void): number {
  const [sel, setSel] = useState(0);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        setSel((i) => Math.min(i + 1, count - 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        setSel((i) => Math.max(i - 1, 0));
      } else if (e.key === 'Enter' && sel < count && tag !== 'A' && tag !== 'BUTTON') open(sel);
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  });
  return Math.min(sel, Math.max(0, count - 1));
}
