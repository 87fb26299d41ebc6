/**
 * Our presence status from the page: away while hidden, idle after IDLE_AFTER_MS without input,
 * active otherwise.
 */
import { IDLE_AFTER_MS, type PresenceStatus } from '../sync/presence.ts';

const INPUT_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

export function watchActivity(report: (status: PresenceStatus) => void): () => void {
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => report('idle'), IDLE_AFTER_MS);
  };
  const onInput = () => {
    if (document.visibilityState === 'hidden') return;
    report('active');
    armIdle();
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      if (idleTimer) clearTimeout(idleTimer);
      report('away');
    } else onInput();
  };
  for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { passive: true, capture: true });
  document.addEventListener('visibilitychange', onVisibility);
  onVisibility();
  return () => {
    if (idleTimer) clearTimeout(idleTimer);
    for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
