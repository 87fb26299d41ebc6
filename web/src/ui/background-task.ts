/**
 * Runs `task` at background priority (`scheduler.postTask`): after every task already waiting,
 * such as a signaling message or a WebRTC event of the join. Browsers without the Scheduler API
 * run it in a new task.
 */
interface BackgroundScheduler {
  postTask<T>(callback: () => T | Promise<T>, options: { priority: 'background' }): Promise<T>;
}

export function atBackgroundPriority<T>(task: () => T | Promise<T>): Promise<T> {
  const scheduler = (globalThis as { scheduler?: Partial<BackgroundScheduler> }).scheduler;
  if (typeof scheduler?.postTask === 'function') return scheduler.postTask(task, { priority: 'background' });
  return new Promise<T>((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(task());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, 0);
  });
}

/** Hidden pages paint no frames: this long at most, then `afterNextPaint` runs its callback anyway. */
export const NEXT_PAINT_MAX_WAIT_MS = 200;

/** Runs `callback` in a task after the next frame is painted (or NEXT_PAINT_MAX_WAIT_MS later). */
export function afterNextPaint(callback: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    callback();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, NEXT_PAINT_MAX_WAIT_MS);
}
