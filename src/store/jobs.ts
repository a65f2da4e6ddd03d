import type { Job, JobInput, Prisma, PrismaClient } from './generated/client.js';
import { fromJson, toJson } from './json.js';
import type { ComputeRecord, JobDone, JobEnded, JobInputRecord, JobRecord, JobStatus, NewJob } from './records.js';

type JobRow = Job & { inputs: JobInput[] };

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

  async markRunning(id: string, startedAt: Date): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, status: 'queued' },
      data: { status: 'running', startedAt, progressStep: 0, attempts: { increment: 1 } },
    });
    return count === 1;
  }

  async updateProgress(id: string, progressStep: number): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, status: 'running' }, data: { progressStep } });
  }

  /**
   * Back to the queue after a shutdown or crash interrupted the run. A clean shutdown refunds the attempt:
   * only crashes count towards giving up on a job.
   */
  async requeue(id: string, refundAttempt = false): Promise<void> {
    await this.prisma.job.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: { status: 'queued', progressStep: 0, ...(refundAttempt ? { attempts: { decrement: 1 } } : {}) },
    });
  }

  async markDone(id: string, done: JobDone): Promise<boolean> {
    return this.finish(id, 'done', {
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

  async markFailed(id: string, ended: JobEnded & { errorCode: string; error: string }): Promise<boolean> {
    return this.finish(id, 'failed', { ...ended });
  }

  async markCancelled(id: string, ended: JobEnded & { cancelledBy: string }): Promise<boolean> {
    return this.finish(id, 'cancelled', { ...ended });
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

  /** Ended jobs whose files are still on disk and that ended before `before`. */
  async listExpired(before: Date): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({
      where: { status: { in: ['done', 'failed', 'cancelled'] }, finishedAt: { lt: before }, filesPurgedAt: null },
      include: { inputs: true },
    });
    return rows.map(toRecord);
  }

  async markPurged(ids: readonly string[], at: Date): Promise<void> {
    await this.prisma.job.updateMany({ where: { id: { in: [...ids] } }, data: { filesPurgedAt: at } });
  }

  /** Hashes of input files some job still needs (active, or ended but not yet purged). */
  async hashesInUse(): Promise<Set<string>> {
    const rows = await this.prisma.jobInput.findMany({
      where: { job: { filesPurgedAt: null } },
      select: { hash: true },
      distinct: ['hash'],
    });
    return new Set(rows.map((row) => row.hash));
  }

  private async finish(id: string, status: JobStatus, data: Prisma.JobUpdateManyMutationInput): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: { ...data, status },
    });
    return count === 1;
  }
}

function toRecord(row: JobRow): JobRecord {
  return {
    ...row,
    status: row.status as JobStatus,
    options: fromJson(row.options, `job ${row.id} options`),
    summary: row.summary === null ? null : fromJson(row.summary, `job ${row.id} summary`),
    inputs: row.inputs
      .slice()
      .sort((a, b) => a.position - b.position)
      .map(
        (input): JobInputRecord => ({
          position: input.position,
          role: input.role === 'content' ? 'content' : 'style',
          hash: input.hash,
          path: input.path,
          bytes: input.bytes,
        }),
      ),
  };
}
