/** Named one-shot timers on an injected clock: scheduling a name again replaces its timer. */
import type { Clock } from './clock.ts';

export class TimerSet<Name extends string> {
  private readonly handles = new Map<Name, unknown>();

  constructor(private readonly clock: Clock) {}

  schedule(name: Name, ms: number, fire: (name: Name) => void): void {
    this.cancel(name);
    this.handles.set(
      name,
      this.clock.setTimeout(() => {
        this.handles.delete(name);
        fire(name);
      }, ms),
    );
  }

  cancel(name: Name): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  cancelAll(): void {
    for (const name of [...this.handles.keys()]) this.cancel(name);
  }
}
