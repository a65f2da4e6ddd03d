/**
 * An append-only record of what happened on the fake, with `waitFor` resolving on the first entry that
 * matches, past or future: tests wait for what the bot did instead of sleeping.
 */
export class EventLog<T> {
  readonly entries: T[] = [];
  private waiters: Array<{ match: (entry: T) => boolean; resolve: (entry: T) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }> = [];

  push(entry: T): void {
    this.entries.push(entry);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(entry)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      waiter.resolve(entry);
    }
  }

  /**
   * The first entry that matches. `timeoutMs` only turns a hang into a readable failure (what was awaited
   * and what happened instead); it never paces a test.
   */
  waitFor<S extends T>(match: ((entry: T) => entry is S) | ((entry: T) => boolean), what = 'an event', timeoutMs = 30_000): Promise<S> {
    const past = this.entries.find(match);
    if (past) return Promise.resolve(past as S);
    return new Promise<S>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out waiting for ${what}; seen: ${this.entries.map((e) => describe(e)).join(' | ').slice(-3000)}`));
      }, timeoutMs);
      timer.unref();
      this.waiters.push({ match, resolve: resolve as (entry: T) => void, reject, timer });
    });
  }

  filter<S extends T>(match: ((entry: T) => entry is S) | ((entry: T) => boolean)): S[] {
    return this.entries.filter(match) as S[];
  }
}

function describe(entry: unknown): string {
  const e = entry as { kind?: string; route?: string; status?: number };
  return [e.kind, e.route, e.status].filter((x) => x !== undefined).join(' ');
}
