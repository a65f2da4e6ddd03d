import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { createBotCore, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import { TransportError, type Actor, type Attachment, type FileUpload, type MessageParts, type ReplyRef, type Transport } from '../../../src/bots/shared/contract.js';
import type { BotCoreDeps } from '../../../src/bots/shared/ports.js';
import type { Timers } from '../../../src/bots/shared/timers.js';
import { sharedImage } from '../../helpers/paths.js';
import { FakeClock, startHarness, type Harness, type HarnessOptions } from '../../jobs/support.js';
import { tempDir } from '../../store/support.js';

/** Timers on the fake clock: nothing fires until the test advances time. */
export class FakeTimers implements Timers {
  private readonly due = new Map<number, { at: number; callback: () => void }>();
  private next = 0;
  constructor(readonly clock: FakeClock) {}
  now(): number {
    return this.clock.now();
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.next;
    this.due.set(id, { at: this.clock.now() + Math.max(0, ms), callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.due.delete(handle);
  }
  get pending(): number {
    return this.due.size;
  }
  /** Moves the clock on, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const next = [...this.due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.due.delete(next[0]);
      if (next[1].at > this.clock.now()) this.clock.t = next[1].at;
      next[1].callback();
    }
    this.clock.t = end;
  }
}

export interface TransportCall {
  readonly op: 'post' | 'edit' | 'upload';
  /** the conversation (post, upload) or the message (edit) */
  readonly target: ReplyRef;
  readonly parts: MessageParts;
  readonly files?: readonly FileUpload[];
  /** the reference returned; absent when the call threw */
  readonly ref?: ReplyRef;
}

/** Records every call; `failNext` makes the next calls of one kind throw. */
export class FakeTransport implements Transport {
  readonly calls: TransportCall[] = [];
  private readonly failures: Array<{ op: TransportCall['op']; error: unknown }> = [];
  private counter = 0;
  constructor(readonly platform: Transport['platform'] = 'discord') {}

  failNext(op: TransportCall['op'], error: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ op, error });
  }

  async post(conversation: ReplyRef, message: MessageParts): Promise<ReplyRef> {
    return this.record('post', conversation, message);
  }
  async edit(message: ReplyRef, parts: MessageParts): Promise<ReplyRef> {
    return this.record('edit', message, parts);
  }
  async upload(conversation: ReplyRef, parts: MessageParts, files: readonly FileUpload[]): Promise<ReplyRef> {
    return this.record('upload', conversation, parts, files);
  }

  /** calls that reached the platform */
  get delivered(): TransportCall[] {
    return this.calls.filter((c) => c.ref !== undefined);
  }

  private record(op: TransportCall['op'], target: ReplyRef, parts: MessageParts, files?: readonly FileUpload[]): ReplyRef {
    const index = this.failures.findIndex((f) => f.op === op);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      this.calls.push({ op, target, parts, ...(files ? { files } : {}) });
      throw failure!.error;
    }
    // edits keep the message's reference, as platforms do
    const ref = op === 'edit' ? target : { message: `m${++this.counter}`, in: target };
    this.calls.push({ op, target, parts, ...(files ? { files } : {}), ref });
    return ref;
  }
}

export const rateLimited = (retryAfterMs?: number) => new TransportError('429 Too Many Requests', true, retryAfterMs);
export const forbidden = () => new TransportError('403 Missing Permissions', false);

export function actor(overrides: Partial<Actor> = {}): Actor {
  return { platform: 'discord', serverId: 'guild-1', channelId: 'channel-1', threadId: null, userId: 'ada', isAdmin: false, isModerator: false, ...overrides };
}

/** An attachment served from memory in chunks; `opened` counts downloads. */
export function memoryAttachment(bytes: Uint8Array, init: { name?: string; declaredBytes?: number | null; declaredType?: string | null; chunk?: number } = {}) {
  const state = { opened: 0 };
  const attachment: Attachment & { readonly state: typeof state } = {
    name: init.name ?? 'picture.jpg',
    declaredBytes: init.declaredBytes === undefined ? bytes.length : init.declaredBytes,
    declaredType: init.declaredType === undefined ? 'image/jpeg' : init.declaredType,
    state,
    async open() {
      state.opened++;
      const size = init.chunk ?? 16 * 1024;
      return (async function* () {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      })();
    },
  };
  return attachment;
}

/** A download that starts and then never sends a byte, until its signal aborts. */
export function stalledAttachment(): Attachment {
  return {
    name: 'slow.jpg',
    declaredBytes: 1000,
    declaredType: 'image/jpeg',
    async open(signal) {
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => new Promise<IteratorResult<Uint8Array>>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
        }),
      };
    },
  };
}

export const image = (relative: string) => new Uint8Array(readFileSync(sharedImage(relative)));
export const CAT = () => memoryAttachment(image('content/chelsea_cat.jpg'), { name: 'cat.jpg' });
export const WAVE = () => memoryAttachment(image('style/hokusai_great_wave.jpg'), { name: 'wave.jpg' });

export interface CoreHarness {
  readonly jobs: Harness;
  readonly core: BotCoreHandle;
  readonly transport: FakeTransport;
  readonly timers: FakeTimers;
  readonly logs: Array<Record<string, unknown>>;
  /** lets queued microtasks and I/O (SQLite, file writes) run, then waits for the updates to be delivered */
  settle(): Promise<void>;
}

/** The real job service on a temporary SQLite file with the fake runner, the core on fake timers, a fake transport. */
export async function startCore(dir: string, options: HarnessOptions & { core?: Partial<BotCoreDeps> } = {}): Promise<CoreHarness & { close(): Promise<void> }> {
  const clock = options.clock ?? new FakeClock();
  const jobs = await startHarness(dir, { ...options, clock });
  const timers = new FakeTimers(clock);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const core = createBotCore({ jobs: jobs.service, logger, timers, bindWaitMs: 30_000, ...options.core });
  const transport = new FakeTransport('discord');
  const detach = core.attach(transport);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await core.idle();
    }
  };
  return {
    jobs,
    core,
    transport,
    timers,
    logs,
    settle,
    close: async () => {
      detach();
      core.close();
      await jobs.close();
    },
  };
}

export function corePerTest(use: (h: CoreHarness) => void, options?: Parameters<typeof startCore>[1]): void {
  let harness: Awaited<ReturnType<typeof startCore>> | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  beforeEach(async () => {
    tmp = tempDir();
    harness = await startCore(tmp.dir, options);
    use(harness);
  });
  afterEach(async () => {
    await harness?.close();
    tmp?.cleanup();
  });
}
