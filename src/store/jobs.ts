import type { Job, JobInput, Prisma, PrismaClient } from './generated/client.js';
import { fromJson, toJson } from './json.js';
import type { ComputeRecord, HistoryQuery, JobClaim, JobDone, JobEnded, JobInputRecord, JobRecord, JobStatus, NewJob } from './records.js';

type JobRow = Job & { inputs: JobInput[] };

/** Bounded IN lists and pages: SQLite's variable limit, and memory, never grow with the table. */
export const STORE_PAGE_SIZE = 500;

/**
 * Who may end a job: the process that holds its claim, or anyone while nobody runs it (waiting, or running
 * under a lease that expired at `now`: its owner is gone).
 */
export type JobHolder = { readonly owner: string } | { readonly unclaimedAt: Date };

/** Jobs and their input files. Status changes are conditional, so a stale writer cannot resurrect a job. */
export class JobRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(job: NewJob): Promise<JobRecord> {
    const row = await this.prisma.job.create({
      data: {
        id: job.id,
        platform: job.platform,
        serverId: job.serverId,
        channelId: job.channelId,
        threadId: job.threadId,
        userId: job.userId,
        status: 'queued',
        options: toJson(job.options),
        presetName: job.presetName,
        totalSteps: job.totalSteps,
        estimatedSeconds: job.estimatedSeconds,
        createdAt: job.createdAt,
        replyRef: job.replyRef === null || job.replyRef === undefined ? null : toJson(job.replyRef),
        uploadLimitBytes: job.uploadLimitBytes,
        parentId: job.parentId,
        followUp: job.followUp,
        inputs: { create: job.inputs.map((input) => ({ ...input })) },
      },
      include: { inputs: true },
    });
    return toRecord(row);
  }

  async get(id: string): Promise<JobRecord | null> {
    const row = await this.prisma.job.findUnique({ where: { id }, include: { inputs: true } });
    return row ? toRecord(row) : null;
  }

  /** Queued and running jobs, oldest first: the work a (re)started process owes. */
  async listActive(): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({
      where: { status: { in: ['queued', 'running'] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { inputs: true },
    });
    return rows.map(toRecord);
  }

  /**
   * Claims a job for `claim.owner` in one conditional write: only a queued job, or a running one whose
   * lease expired (its owner died). False when another process holds it or it ended.
   */
  async claim(id: string, claim: JobClaim): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, OR: [{ status: 'queued' }, { status: 'running', OR: [{ leaseUntil: null }, { leaseUntil: { lt: claim.now } }] }] },
      data: { status: 'running', owner: claim.owner, leaseUntil: claim.leaseUntil, startedAt: claim.now, progressStep: 0, attempts: { increment: 1 } },
    });
    return count === 1;
  }

  /** Extends the owner's lease; false when the claim was lost (taken over, or the job ended). */
  async heartbeat(id: string, owner: string, leaseUntil: Date): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({ where: { id, owner, status: 'running' }, data: { leaseUntil } });
    return count === 1;
  }

  async updateProgress(id: string, owner: string, progressStep: number): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, owner, status: 'running' }, data: { progressStep } });
  }

  /**
   * Back to the queue after a shutdown or crash interrupted the run. A clean shutdown refunds the attempt:
   * only crashes count towards giving up on a job.
   */
  async requeue(id: string, holder: JobHolder, refundAttempt = false): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, ...holderWhere(holder) },
      data: { status: 'queued', progressStep: 0, owner: null, leaseUntil: null, ...(refundAttempt ? { attempts: { decrement: 1 } } : {}) },
    });
    return count === 1;
  }

  async markDone(id: string, owner: string, done: JobDone): Promise<boolean> {
    return this.finish(id, { owner }, 'done', {
      finishedAt: done.finishedAt,
      computeSeconds: done.computeSeconds,
      secondsPerStep: done.secondsPerStep,
      progressStep: done.progressStep,
      resultPath: done.resultPath,
      gifPath: done.gifPath,
      plotPath: done.plotPath,
      summary: toJson(done.summary),
    });
  }

  async markFailed(id: string, holder: JobHolder, ended: JobEnded & { errorCode: string; errorDetails: unknown }): Promise<boolean> {
    const { errorDetails, ...rest } = ended;
    return this.finish(id, holder, 'failed', { ...rest, errorDetails: toJson(errorDetails) });
  }

  async markCancelled(id: string, holder: JobHolder, ended: JobEnded & { cancelledBy: string }): Promise<boolean> {
    return this.finish(id, holder, 'cancelled', { ...ended });
  }

  async setReplyRef(id: string, replyRef: unknown): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({ where: { id }, data: { replyRef: replyRef === null || replyRef === undefined ? null : toJson(replyRef) } });
    return count === 1;
  }

  /** Compute spent by jobs that ended after `since` (exclusive), of one server or of one user in it. */
  async computeSince(since: Date, scope: { platform: string; serverId: string; userId?: string }): Promise<ComputeRecord[]> {
    const rows = await this.prisma.job.findMany({
      where: { ...scope, finishedAt: { gt: since }, computeSeconds: { gt: 0 } },
      select: { finishedAt: true, computeSeconds: true },
      orderBy: { finishedAt: 'asc' },
    });
    return rows.map((row) => ({ finishedAt: row.finishedAt!, computeSeconds: row.computeSeconds! }));
  }

  /** The latest successful runs, newest first, for the speed estimate. */
  async recentDone(limit: number): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({
      where: { status: 'done', computeSeconds: { not: null } },
      orderBy: { finishedAt: 'desc' },
      take: limit,
      include: { inputs: true },
    });
    return rows.map(toRecord);
  }

  /** One user's jobs on one platform, across servers, newest first. */
  async history(platform: string, userId: string, query: HistoryQuery): Promise<JobRecord[]> {
    const before = query.before;
    const rows = await this.prisma.job.findMany({
      where: {
        platform,
        userId,
        ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.max(1, Math.min(query.limit, STORE_PAGE_SIZE)),
      include: { inputs: true },
    });
    return rows.map(toRecord);
  }

  /**
   * Ids of ended jobs whose files are still on disk and that ended before `before`: one page, in id order
   * after `afterId`. The caller pages until a short page.
   */
  async listExpired(before: Date, page: { afterId?: string; limit?: number } = {}): Promise<string[]> {
    const rows = await this.prisma.job.findMany({
      where: { status: { in: ['done', 'failed', 'cancelled'] }, finishedAt: { lt: before }, filesPurgedAt: null, ...(page.afterId ? { id: { gt: page.afterId } } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: Math.min(page.limit ?? STORE_PAGE_SIZE, STORE_PAGE_SIZE),
    });
    return rows.map((row) => row.id);
  }

  async markPurged(ids: readonly string[], at: Date): Promise<void> {
    for (let i = 0; i < ids.length; i += STORE_PAGE_SIZE) {
      await this.prisma.job.updateMany({ where: { id: { in: ids.slice(i, i + STORE_PAGE_SIZE) } }, data: { filesPurgedAt: at } });
    }
  }

  /** Which of `hashes` some job still needs (active, or ended but not yet purged). */
  async hashesInUse(hashes: readonly string[]): Promise<Set<string>> {
    const used = new Set<string>();
    for (let i = 0; i < hashes.length; i += STORE_PAGE_SIZE) {
      const rows = await this.prisma.jobInput.findMany({
        where: { hash: { in: hashes.slice(i, i + STORE_PAGE_SIZE) }, job: { filesPurgedAt: null } },
        select: { hash: true },
        distinct: ['hash'],
      });
      for (const row of rows) used.add(row.hash);
    }
    return used;
  }

  private async finish(id: string, holder: JobHolder, status: JobStatus, data: Prisma.JobUpdateManyMutationInput): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, ...holderWhere(holder) },
      data: { ...data, status, owner: null, leaseUntil: null },
    });
    return count === 1;
  }
}

function holderWhere(holder: JobHolder): Prisma.JobWhereInput {
  if ('owner' in holder) return { status: 'running', owner: holder.owner };
  return { OR: [{ status: 'queued' }, { status: 'running', OR: [{ leaseUntil: null }, { leaseUntil: { lt: holder.unclaimedAt } }] }] };
}

function toRecord(row: JobRow): JobRecord {
  return {
    ...row,
    status: row.status as JobStatus,
    options: fromJson(row.options, `job ${row.id} options`),
    summary: row.summary === null ? null : fromJson(row.summary, `job ${row.id} summary`),
    errorDetails: row.errorDetails === null ? null : fromJson(row.errorDetails, `job ${row.id} error details`),
    replyRef: row.replyRef === null ? null : fromJson(row.replyRef, `job ${row.id} reply reference`),
    inputs: row.inputs
      .slice()
      .sort((a, b) => a.position - b.position)
      .map(
        (input): JobInputRecord => ({
          position: input.position,
          role: input.role === 'content' ? 'content' : input.role === 'init' ? 'init' : 'style',
          hash: input.hash,
          path: input.path,
          bytes: input.bytes,
        }),
      ),
  };
}
