import type { PrismaClient } from './generated/client.js';
import { JobRepository } from './jobs.js';
import type { PresetRepository } from './presets.js';
import type { ServerSettingsRepository } from './servers.js';

/**
 * Distinct values that no row has (job ids are 8 letters and digits), so the updates below match nothing.
 * Distinct matters: Prisma gives equal values of one query a single placeholder, which would make a shape
 * other than the one the service sends with its (different) values.
 */
function values() {
  let n = 0;
  // a number's type in the shape follows its value (2 is an Int, 2.5 a Float): seconds are fractional in practice
  return { text: () => `~warm-up-${++n}~`, number: () => ++n, seconds: () => ++n + 0.5, date: () => new Date(++n) };
}

class RolledBack extends Error {}

/**
 * Prisma 7 compiles each query shape to a plan the first time it is used (then caches it, values apart),
 * synchronously on the main thread: 30 to 600 ms per shape on a busy machine, in the middle of the first
 * job's submission, claim, progress and result, while chat platforms wait for answers. This runs every shape
 * of a job's life once at start instead, through the repositories themselves so that the shapes are exactly
 * theirs, against an id that matches nothing; the inserts are rolled back.
 */
export async function warmUpQueries(prisma: PrismaClient, repos: { readonly jobs: JobRepository; readonly presets: PresetRepository; readonly servers: ServerSettingsRepository }): Promise<void> {
  const { jobs } = repos;
  const { text, number, seconds, date } = values();
  const id = text();
  const owner = () => ({ owner: text() });
  const unclaimed = () => ({ unclaimedAt: date() });
  const ended = () => ({ finishedAt: date(), computeSeconds: seconds() });
  const failed = () => ({ ...ended(), errorCode: text(), errorDetails: { [text()]: text() } });
  const user = () => ({ platform: text(), userId: text() });
  // a null is part of the shape, not a value: the inserts a chat bot makes (in a thread or not) and a follow-up
  const inserts = [
    { threadId: null, replyRef: { [text()]: text() } },
    { threadId: text(), replyRef: { [text()]: text() } },
    { threadId: null, replyRef: null },
    { threadId: text(), replyRef: { [text()]: text() }, uploadLimitBytes: number(), parentId: text(), followUp: text(), init: true },
  ];
  for (const insert of inserts) {
    await prisma
      .$transaction(async (tx) => {
        await new JobRepository(tx as PrismaClient).create({
          id: text(),
          platform: text(),
          serverId: text(),
          channelId: text(),
          threadId: insert.threadId,
          userId: text(),
          options: { [text()]: text() },
          presetName: null,
          totalSteps: number(),
          estimatedSeconds: seconds(),
          createdAt: date(),
          inputs: [
            { position: number(), role: 'content', hash: text(), path: text(), bytes: number() },
            { position: number(), role: 'style', hash: text(), path: text(), bytes: number() },
            ...(insert.init ? [{ position: number(), role: 'init' as const, hash: text(), path: text(), bytes: number() }] : []),
          ],
          replyRef: insert.replyRef,
          uploadLimitBytes: insert.uploadLimitBytes ?? null,
          parentId: insert.parentId ?? null,
          followUp: insert.followUp ?? null,
        });
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
  }
  // one after another: they share one connection anyway, and the order keeps any error easy to read
  const shapes: Array<() => Promise<unknown>> = [
    () => jobs.get(id),
    () => jobs.listActive(),
    () => jobs.recentDone(number()),
    () => jobs.claim(id, { owner: text(), now: date(), leaseUntil: date() }),
    () => jobs.heartbeat(id, text(), date()),
    () => jobs.updateProgress(id, text(), number()),
    () => jobs.setReplyRef(id, { [text()]: text() }),
    () => jobs.requeue(id, owner()),
    () => jobs.requeue(id, owner(), true),
    () => jobs.requeue(id, unclaimed()),
    () => jobs.markDone(id, text(), { ...ended(), secondsPerStep: seconds(), progressStep: number(), resultPath: text(), gifPath: text(), plotPath: text(), summary: { [text()]: text() } }),
    () => jobs.markFailed(id, owner(), { ...failed(), progressStep: number() }),
    () => jobs.markFailed(id, unclaimed(), failed()),
    () => jobs.markCancelled(id, owner(), { ...ended(), cancelledBy: text(), progressStep: number() }),
    () => jobs.markCancelled(id, unclaimed(), { finishedAt: date(), computeSeconds: null, cancelledBy: text() }),
    () => jobs.computeSince(date(), { platform: text(), serverId: text() }),
    () => jobs.computeSince(date(), { platform: text(), serverId: text(), userId: text() }),
    () => jobs.history(text(), text(), { limit: number() }),
    () => repos.servers.get(text(), text()),
    () => repos.presets.getDefault(user()),
    () => repos.presets.get(user(), text()),
  ];
  for (const shape of shapes) await shape();
}
