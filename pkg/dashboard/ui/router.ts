// Hash routes (`#/jobs/default/web`): the server serves one page at /ui/, and a reload or a shared link lands on
// the same view.
import { useEffect, useState } from 'preact/hooks';

/** The current route as path segments (`['jobs', 'default', 'web']`); empty for the overview. */
export function useRoute(): string[] {
  const [hash, set] = useState(location.hash);
  useEffect(() => {
    const on = () => set(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** The href of a route. */
export function href(...segments: string[]): string {
  return '#/' + segments.map(encodeURIComponent).join('/');
}

/** Go to a route. */
export function go(...segments: string[]): void {
  location.hash = href(...segments);
}
