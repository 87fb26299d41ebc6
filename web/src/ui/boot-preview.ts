/**
 * Until the editor is mounted, the loading placeholder of index.html shows the room's text,
 * read-only: the stored document as soon as IndexedDB has it, a peer's as soon as it arrives.
 * Evaluating and mounting CodeMirror takes ~100 ms of main thread after the first link opens;
 * the text itself needs one DOM write. The placeholder is light DOM of <meshpad-app>, so it
 * disappears by itself when the app renders.
 */
import type * as Y from 'yjs';

/** Enough to fill a screen; the editor shows the rest a moment later. */
export const BOOT_PREVIEW_MAX_CHARS = 32 * 1024;

export interface BootPreview {
  stop(): void;
}

export function showBootPreview(text: Y.Text, pre: HTMLElement | null): BootPreview {
  if (!pre) return { stop: () => undefined };
  let shown = false;
  let frame = 0;
  const render = () => {
    frame = 0;
    const content = text.toString();
    if (!content) return;
    pre.textContent = content.slice(0, BOOT_PREVIEW_MAX_CHARS);
    shown = true;
  };
  // The first text at once (it is what a joining user waits for), later changes once per frame.
  const onChange = () => {
    if (!shown) render();
    else if (frame === 0) frame = requestAnimationFrame(render);
  };
  text.observe(onChange);
  render();
  return {
    stop() {
      text.unobserve(onChange);
      if (frame !== 0) cancelAnimationFrame(frame);
    },
  };
}
