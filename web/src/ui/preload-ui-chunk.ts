/**
 * Starts downloading and compiling the UI chunk without evaluating it. The build names the chunk
 * in a `<meta name="meshpad-ui-chunk">` (vite.config.ts); without one (dev server) this does nothing.
 */
export const UI_CHUNK_META = 'meshpad-ui-chunk';

export function preloadUiChunk(doc: Document = document): void {
  const href = doc.querySelector<HTMLMetaElement>(`meta[name="${UI_CHUNK_META}"]`)?.content;
  if (!href) return;
  const link = doc.createElement('link');
  link.rel = 'modulepreload';
  link.crossOrigin = '';
  link.href = href;
  doc.head.append(link);
}
