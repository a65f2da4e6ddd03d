import type { Challenge, ChallengeEntry, Prisma, PrismaClient } from './generated/client.js';
import { fromJson, toJson } from './json.js';
import { STORE_PAGE_SIZE } from './jobs.js';

export type ChallengeStatus = 'open' | 'closed';
export type EntryStatus = 'pending' | 'entered' | 'replaced' | 'failed' | 'late';

export interface ChallengeRecord {
  readonly id: string;
  readonly platform: string;
  readonly serverId: string;
  readonly channelId: string;
  readonly title: string;
  readonly status: ChallengeStatus;
  /** the resolved StylizeOptions every entry runs with */
  readonly options: unknown;
  readonly styleImage: Uint8Array;
  readonly styleType: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date | null;
  readonly closedBy: string | null;
  readonly replyRef: unknown;
}

export type NewChallenge = Omit<ChallengeRecord, 'status' | 'closedAt' | 'closedBy'>;

export interface EntryRecord {
  readonly id: string;
  readonly challengeId: string;
  readonly userId: string;
  readonly jobId: string;
  readonly status: EntryStatus;
  readonly createdAt: Date;
  readonly enteredAt: Date | null;
  readonly place: number | null;
  readonly messageRef: unknown;
}

export interface RankedEntry {
  readonly entry: EntryRecord;
  readonly votes: number;
}

/** What recording a finished job did to the member's entry. */
export type RecordOutcome =
  | { readonly kind: 'entered'; readonly entry: EntryRecord; readonly replaced: { readonly entry: EntryRecord; readonly droppedVotes: number } | null }
  /** a newer submission of the member was entered first: this older one does not replace it */
  | { readonly kind: 'superseded'; readonly entry: EntryRecord }
  /** finished after the deadline (or after an early end) */
  | { readonly kind: 'late'; readonly entry: EntryRecord }
  /** not a challenge job, or recorded already */
  | { readonly kind: 'none' };

export type VoteOutcome =
  | { readonly kind: 'voted'; readonly entry: EntryRecord; readonly previousEntryId: string | null }
  | { readonly kind: 'unchanged'; readonly entry: EntryRecord }
  | { readonly kind: 'noEntry' }
  | { readonly kind: 'notCurrent'; readonly entry: EntryRecord }
  | { readonly kind: 'own'; readonly entry: EntryRecord }
  | { readonly kind: 'closed'; readonly challenge: ChallengeRecord };

export type CloseOutcome = { readonly kind: 'closed'; readonly challenge: ChallengeRecord; readonly winners: readonly RankedEntry[] } | { readonly kind: 'notOpen'; readonly challenge: ChallengeRecord | null };

/** The places that are announced and whose files retention keeps. */
export const WINNER_PLACES = 3;

/**
 * Challenges, their entries and votes. The rules that races could break are keys, not checks: one entry per
 * member is the unique `currentKey`, one vote per member the primary key of ChallengeVote, and each change
 * of state runs in one transaction so that a vote never lands on an entry that was replaced meanwhile.
 */
export class ChallengeRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(challenge: NewChallenge): Promise<ChallengeRecord> {
    const row = await this.prisma.challenge.create({
      data: {
        ...challenge,
        status: 'open',
        options: toJson(challenge.options),
        styleImage: Buffer.from(challenge.styleImage) as Uint8Array<ArrayBuffer>,
        replyRef: challenge.replyRef === null || challenge.replyRef === undefined ? null : toJson(challenge.replyRef),
      },
    });
    return toChallenge(row);
  }

  async get(id: string): Promise<ChallengeRecord | null> {
    const row = await this.prisma.challenge.findUnique({ where: { id } });
    return row ? toChallenge(row) : null;
  }

  async setReplyRef(id: string, replyRef: unknown): Promise<void> {
    await this.prisma.challenge.updateMany({ where: { id }, data: { replyRef: replyRef === null || replyRef === undefined ? null : toJson(replyRef) } });
  }

  /** Every open challenge (on every server), soonest deadline first: what a (re)started process arms. */
  async listOpen(): Promise<ChallengeRecord[]> {
    const rows = await this.prisma.challenge.findMany({ where: { status: 'open' }, orderBy: [{ closesAt: 'asc' }, { id: 'asc' }], take: STORE_PAGE_SIZE });
    return rows.map(toChallenge);
  }

  /** A server's challenges of one status, newest first. */
  async listByServer(platform: string, serverId: string, status: ChallengeStatus, limit: number): Promise<ChallengeRecord[]> {
    const rows = await this.prisma.challenge.findMany({ where: { platform, serverId, status }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: Math.min(limit, STORE_PAGE_SIZE) });
    return rows.map(toChallenge);
  }

  /** Every server's challenges of `status`, newest first: the operator's view (the local web page). */
  async listAll(status: ChallengeStatus, limit: number): Promise<ChallengeRecord[]> {
    const rows = await this.prisma.challenge.findMany({ where: { status }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: Math.min(limit, STORE_PAGE_SIZE) });
    return rows.map(toChallenge);
  }

  async createEntry(entry: { id: string; challengeId: string; userId: string; jobId: string; createdAt: Date }): Promise<EntryRecord> {
    return toEntry(await this.prisma.challengeEntry.create({ data: { ...entry, status: 'pending' } }));
  }

  async getEntry(id: string): Promise<EntryRecord | null> {
    const row = await this.prisma.challengeEntry.findUnique({ where: { id } });
    return row ? toEntry(row) : null;
  }

  async entryOfJob(jobId: string): Promise<EntryRecord | null> {
    const row = await this.prisma.challengeEntry.findUnique({ where: { jobId } });
    return row ? toEntry(row) : null;
  }

  /** The member's entry in the challenge (not a pending submission), or null. */
  async currentEntry(challengeId: string, userId: string): Promise<EntryRecord | null> {
    const row = await this.prisma.challengeEntry.findUnique({ where: { currentKey: currentKey(challengeId, userId) } });
    return row ? toEntry(row) : null;
  }

  /** Submissions whose job has not been recorded yet, oldest first (checked at start: a finish may have been missed). */
  async pendingEntries(): Promise<EntryRecord[]> {
    const rows = await this.prisma.challengeEntry.findMany({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' }, take: STORE_PAGE_SIZE });
    return rows.map(toEntry);
  }

  async setEntryMessage(id: string, messageRef: unknown): Promise<void> {
    await this.prisma.challengeEntry.updateMany({ where: { id }, data: { messageRef: messageRef === null || messageRef === undefined ? null : toJson(messageRef) } });
  }

  async countVotes(entryId: string): Promise<number> {
    return this.prisma.challengeVote.count({ where: { entryId } });
  }

  /** A submission whose job failed or was cancelled: the member's entry, if any, stays. */
  async markFailed(jobId: string): Promise<EntryRecord | null> {
    const { count } = await this.prisma.challengeEntry.updateMany({ where: { jobId, status: 'pending' }, data: { status: 'failed' } });
    return count === 1 ? this.entryOfJob(jobId) : null;
  }

  /**
   * A submission's job finished: it becomes the member's entry unless the challenge closed first or a newer
   * submission of the member was entered already. The member's previous entry is replaced and its votes
   * dropped, in the same transaction.
   */
  async recordFinished(jobId: string, now: Date): Promise<RecordOutcome> {
    return this.retryingConflicts(() =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.challengeEntry.findUnique({ where: { jobId }, include: { challenge: { select: { status: true, closesAt: true } } } });
        if (!row || row.status !== 'pending') return { kind: 'none' } as const;
        if (row.challenge.status !== 'open' || row.challenge.closesAt.getTime() <= now.getTime()) {
          return { kind: 'late', entry: toEntry(await tx.challengeEntry.update({ where: { id: row.id }, data: { status: 'late' } })) } as const;
        }
        const key = currentKey(row.challengeId, row.userId);
        const current = await tx.challengeEntry.findUnique({ where: { currentKey: key } });
        if (current && current.createdAt.getTime() > row.createdAt.getTime()) {
          return { kind: 'superseded', entry: toEntry(await tx.challengeEntry.update({ where: { id: row.id }, data: { status: 'replaced' } })) } as const;
        }
        let replaced: { entry: EntryRecord; droppedVotes: number } | null = null;
        if (current) {
          const { count } = await tx.challengeVote.deleteMany({ where: { entryId: current.id } });
          replaced = { entry: toEntry(await tx.challengeEntry.update({ where: { id: current.id }, data: { status: 'replaced', currentKey: null } })), droppedVotes: count };
        }
        const entry = toEntry(await tx.challengeEntry.update({ where: { id: row.id }, data: { status: 'entered', currentKey: key, enteredAt: now } }));
        return { kind: 'entered', entry, replaced } as const;
      }),
    );
  }

  /**
   * A member's vote for an entry: one per member per challenge (the key), not for their own entry, only for
   * a member's current entry, only while the challenge is open. Voting again moves the vote.
   */
  async vote(entryId: string, userId: string, now: Date): Promise<VoteOutcome> {
    return this.retryingConflicts(() =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.challengeEntry.findUnique({ where: { id: entryId }, include: { challenge: true } });
        if (!row) return { kind: 'noEntry' } as const;
        const entry = toEntry(row);
        if (row.challenge.status !== 'open' || row.challenge.closesAt.getTime() <= now.getTime()) return { kind: 'closed', challenge: toChallenge(row.challenge) } as const;
        if (row.status !== 'entered') return { kind: 'notCurrent', entry } as const;
        if (row.userId === userId) return { kind: 'own', entry } as const;
        const key = { challengeId_userId: { challengeId: row.challengeId, userId } };
        const previous = await tx.challengeVote.findUnique({ where: key, select: { entryId: true } });
        if (previous?.entryId === entryId) return { kind: 'unchanged', entry } as const;
        await tx.challengeVote.upsert({ where: key, create: { challengeId: row.challengeId, userId, entryId, createdAt: now, updatedAt: now }, update: { entryId, updatedAt: now } });
        return { kind: 'voted', entry, previousEntryId: previous?.entryId ?? null } as const;
      }),
    );
  }

  /** The member's current vote in a challenge: the entry id, or null. */
  async voteOf(challengeId: string, userId: string): Promise<string | null> {
    const row = await this.prisma.challengeVote.findUnique({ where: { challengeId_userId: { challengeId, userId } }, select: { entryId: true } });
    return row?.entryId ?? null;
  }

  /** Entries by votes, most first; ties go to the entry that was entered first, then by id. */
  async leaderboard(challengeId: string, limit = STORE_PAGE_SIZE): Promise<RankedEntry[]> {
    return rank(this.prisma, challengeId, limit);
  }

  /**
   * Closes an open challenge once (a conditional write, so that two processes or a timer and a moderator
   * cannot both close it) and records the places of the top entries.
   */
  async close(id: string, closedAt: Date, closedBy: string | null): Promise<CloseOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.challenge.updateMany({ where: { id, status: 'open' }, data: { status: 'closed', closedAt, closedBy } });
      const row = await tx.challenge.findUnique({ where: { id } });
      if (count !== 1 || !row) return { kind: 'notOpen', challenge: row ? toChallenge(row) : null } as const;
      const winners = await rank(tx, id, WINNER_PLACES);
      for (const [i, w] of winners.entries()) await tx.challengeEntry.update({ where: { id: w.entry.id }, data: { place: i + 1 } });
      return { kind: 'closed', challenge: toChallenge(row), winners: winners.map((w, i) => ({ ...w, entry: { ...w.entry, place: i + 1 } })) } as const;
    });
  }

  /** The winners of a closed challenge, by place. */
  async winners(challengeId: string): Promise<RankedEntry[]> {
    const rows = await this.prisma.challengeEntry.findMany({ where: { challengeId, place: { not: null } }, orderBy: { place: 'asc' }, include: { _count: { select: { votes: true } } } });
    return rows.map((row) => ({ entry: toEntry(row), votes: row._count.votes }));
  }

  /**
   * Which of `jobIds` retention must keep: a submission or entry of an open challenge, or a winner of a
   * closed one. Takes the candidates so that the question stays bounded however many challenges there were.
   */
  async protectedJobIds(jobIds: readonly string[]): Promise<Set<string>> {
    const kept = new Set<string>();
    for (let i = 0; i < jobIds.length; i += STORE_PAGE_SIZE) {
      const rows = await this.prisma.challengeEntry.findMany({
        where: {
          jobId: { in: jobIds.slice(i, i + STORE_PAGE_SIZE) },
          OR: [{ place: { not: null } }, { status: { in: ['pending', 'entered'] }, challenge: { status: 'open' } }],
        },
        select: { jobId: true },
      });
      for (const row of rows) kept.add(row.jobId);
    }
    return kept;
  }

  /** SQLite reports a key that a concurrent transaction took as a unique violation: the retry sees it. */
  private async retryingConflicts<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= 3 || (error as { code?: unknown }).code !== 'P2002') throw error;
      }
    }
  }
}

type Client = PrismaClient | Prisma.TransactionClient;

async function rank(prisma: Client, challengeId: string, limit: number): Promise<RankedEntry[]> {
  const rows = await prisma.challengeEntry.findMany({ where: { challengeId, status: 'entered' }, include: { _count: { select: { votes: true } } } });
  return rows
    .map((row) => ({ entry: toEntry(row), votes: row._count.votes }))
    .sort((a, b) => b.votes - a.votes || a.entry.enteredAt!.getTime() - b.entry.enteredAt!.getTime() || a.entry.id.localeCompare(b.entry.id))
    .slice(0, limit);
}

function currentKey(challengeId: string, userId: string): string {
  return `${challengeId}:${userId}`;
}

function toChallenge(row: Challenge): ChallengeRecord {
  return {
    id: row.id,
    platform: row.platform,
    serverId: row.serverId,
    channelId: row.channelId,
    title: row.title,
    status: row.status as ChallengeStatus,
    options: fromJson(row.options, `challenge ${row.id} options`),
    styleImage: new Uint8Array(row.styleImage),
    styleType: row.styleType,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    closesAt: row.closesAt,
    closedAt: row.closedAt,
    closedBy: row.closedBy,
    replyRef: row.replyRef === null ? null : fromJson(row.replyRef, `challenge ${row.id} replyRef`),
  };
}

function toEntry(row: ChallengeEntry): EntryRecord {
  return {
    id: row.id,
    challengeId: row.challengeId,
    userId: row.userId,
    jobId: row.jobId,
    status: row.status as EntryStatus,
    createdAt: row.createdAt,
    enteredAt: row.enteredAt,
    place: row.place,
    messageRef: row.messageRef === null ? null : fromJson(row.messageRef, `entry ${row.id} messageRef`),
  };
}
