import { describe, expect, it } from 'vitest';
import { FairQueue, type QueueEntry } from '../../src/jobs/index.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A queue whose jobs run until the test ends them, recording the order they start in. */
function harness(concurrency: number) {
  const started: string[] = [];
  const running = new Map<string, () => void>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const queue = new FairQueue({
    concurrency,
    execute: (entry) => {
      started.push(entry.id);
      const done = deferred();
      running.set(entry.id, done.resolve);
      for (const w of waiters.filter((w) => started.length >= w.count)) w.resolve();
      return done.promise;
    },
    onError: (error) => {
      throw error;
    },
  });
  return {
    queue,
    started,
    finish: (id: string) => running.get(id)!(),
    startedCount: (count: number) => (started.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
  };
}

const entry = (id: string, user: string, limits: Partial<QueueEntry> = {}): QueueEntry => ({
  id,
  userKey: user,
  serverKey: 's',
  estimatedSeconds: 10,
  maxRunningPerUser: 1,
  maxConcurrent: 8,
  ...limits,
});

describe('FairQueue', () => {
  it('gives a free slot to another user while a user already runs their limit', async () => {
    const h = harness(2);
    h.queue.add(entry('a1', 'a'));
    h.queue.add(entry('a2', 'a'));
    await h.startedCount(1);
    h.queue.add(entry('b1', 'b'));
    await h.startedCount(2);
    expect(h.started).toEqual(['a1', 'b1']);
    h.finish('a1');
    await h.startedCount(3);
    expect(h.started).toEqual(['a1', 'b1', 'a2']);
    h.finish('b1');
    h.finish('a2');
    await h.queue.close();
  });

  it('holds a server to its share of the slots', async () => {
    const h = harness(2);
    h.queue.add(entry('x1', 'a', { serverKey: 'x', maxConcurrent: 1 }));
    h.queue.add(entry('x2', 'b', { serverKey: 'x', maxConcurrent: 1 }));
    h.queue.add(entry('y1', 'c', { serverKey: 'y' }));
    await h.startedCount(2);
    expect(h.started).toEqual(['x1', 'y1']);
    h.finish('x1');
    await h.startedCount(3);
    expect(h.started.at(-1)).toBe('x2');
    h.finish('x2');
    h.finish('y1');
    await h.queue.close();
  });

  it('forecasts start and end from the running jobs\' remaining time and the estimates', async () => {
    const h = harness(1);
    h.queue.add(entry('a1', 'a'));
    await h.startedCount(1);
    h.queue.add(entry('a2', 'a', { estimatedSeconds: 30 }));
    h.queue.add(entry('b1', 'b', { estimatedSeconds: 20 }));
    expect(h.queue.order().map((e) => e.id)).toEqual(['b1', 'a2']);
    expect(Object.fromEntries(h.queue.forecast(() => 5))).toEqual({
      b1: { position: 1, startsInSeconds: 5, etaSeconds: 25 },
      a2: { position: 2, startsInSeconds: 25, etaSeconds: 55 },
    });
    expect(h.queue.remove('b1')).toBe(true);
    expect(h.queue.remove('a1')).toBe(false); // running, not waiting
    h.finish('a1');
    await h.startedCount(2);
    expect(h.started).toEqual(['a1', 'a2']);
    h.finish('a2');
    await h.queue.close();
  });
});
