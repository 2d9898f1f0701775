// Job slots: at most `size` jobs of this runner run at once (ci.concurrency).
export class Semaphore {
  private waiters: Array<() => void> = [];
  private used = 0;

  constructor(private readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.used < this.size) this.used++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.used--;
    };
  }
}
