import type { Logger } from 'pino';
import { checkServerCaps, newJobId, resolveOptions, validatePatch, type JobEventSource, type JobPosition, type OptionsPatch, type Requester, type ServerRef, type ServerSettingsView, type SubmitRequest } from '../jobs/index.js';
import type { StylizeOptions } from '../pipeline/index.js';
import type { ChallengeRecord, ChallengeRepository, EntryRecord, RankedEntry } from '../store/index.js';
import { Deadlines, systemDeadlineTimers, type DeadlineTimers } from './deadlines.js';
import { MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from './duration.js';
import { ChallengeError } from './errors.js';
import { ChallengeEvents, type ChallengeEventSource } from './events.js';

/** The part of the job service challenges use: entries are ordinary jobs, with its queue, limits and budgets. */
export interface ChallengeJobs {
  readonly events: JobEventSource;
  readonly settings: { get(server: ServerRef): Promise<ServerSettingsView> };
  readonly presets: { optionsOf(owner: { platform: string; userId: string }, name: string): Promise<OptionsPatch> };
  submit(request: SubmitRequest): Promise<JobPosition>;
  status(requester: Requester, jobId: string): Promise<JobPosition>;
}

export interface ChallengeServiceDeps {
  readonly store: ChallengeRepository;
  readonly jobs: ChallengeJobs;
  readonly logger: Logger;
  readonly timers?: DeadlineTimers;
  readonly newId?: () => string;
  /** the style picture is kept in the database: its bytes are capped, default 25 MB */
  readonly maxStyleBytes?: number;
  readonly minDurationMs?: number;
  readonly maxDurationMs?: number;
  /** how many past challenges `list` shows, default 10 */
  readonly pastShown?: number;
}

export const MAX_TITLE_LENGTH = 100;

/** Who asks; moderators may end challenges early, admins may also start them. */
export interface ChallengeRequester extends Requester {
  readonly isModerator?: boolean;
}

export interface StartRequest extends ChallengeRequester {
  readonly channelId: string;
  readonly title: string;
  /** `2d`, `6h`, `90m`, `1d12h` */
  readonly duration: string;
  readonly style: { readonly bytes: Uint8Array; readonly contentType: string };
  /** options typed with the command: locked for every entry, with the server's defaults below them */
  readonly options?: OptionsPatch;
  /** a preset of the starter's, below the typed options */
  readonly presetName?: string;
  /** where the challenge's entries and results are posted (the adapter's pointer) */
  readonly replyRef?: unknown;
}

export interface EntryRequest extends ChallengeRequester {
  /** default: the open challenge of this server (of this channel, when there are several) */
  readonly challengeId?: string;
  readonly channelId: string;
  readonly threadId?: string | null;
  readonly content: Uint8Array;
  /** where the entry job's own updates go (the member's conversation) */
  readonly replyRef?: unknown;
  readonly uploadLimitBytes?: number;
}

export interface SubmitOutcome {
  readonly challenge: ChallengeRecord;
  readonly entry: EntryRecord;
  readonly job: JobPosition;
  /** the member's current entry, which this submission replaces once its job finishes (its votes are then dropped) */
  readonly replaces: { readonly entry: EntryRecord; readonly votes: number } | null;
}

export interface VoteResult {
  readonly challenge: ChallengeRecord;
  readonly entry: EntryRecord;
  /** the entry the vote moved from; null for a first vote */
  readonly previousEntryId: string | null;
  /** the member had voted for this entry already */
  readonly unchanged: boolean;
}

export interface Standing extends RankedEntry {
  /** 1-based; entries with equal votes get different places (the earlier entry first) */
  readonly place: number;
}

export interface Leaderboard {
  readonly challenge: ChallengeRecord;
  readonly standings: readonly Standing[];
}

/**
 * Community style challenges: a moderator starts one with a style picture, a deadline and settings that are
 * locked at start; members submit their photos, which run as ordinary jobs with those settings; members
 * vote; the challenge closes by itself at the deadline and names its winners.
 *
 * The service keeps no state that a restart could lose: deadlines, entries and votes are rows, and `start`
 * re-arms every open challenge's timer (closing at once those whose deadline passed while the bot was
 * down) and records submissions whose job ended while nobody listened. Subscribe to `events`, then `start`.
 */
export class ChallengeService {
  private readonly emitter: ChallengeEvents;
  private readonly deadlines: Deadlines;
  private readonly timers: DeadlineTimers;
  private readonly log: Logger;
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  /** Subscribes to the job events at once (before the job service starts, so no finish is missed); no I/O. */
  constructor(private readonly deps: ChallengeServiceDeps) {
    this.timers = deps.timers ?? systemDeadlineTimers;
    this.log = deps.logger.child({ component: 'challenges' });
    this.emitter = new ChallengeEvents((name, error) => this.log.error({ err: error, event: name }, 'a challenge event listener failed'));
    this.deadlines = new Deadlines(this.timers, (id) => void this.closeDue(id));
    const ended = (jobId: string, finishedAt: Date | null, ok: boolean) =>
      void this.jobEnded(jobId, finishedAt, ok).catch((error: unknown) => this.log.error({ err: error, job: jobId }, 'challenge entry not recorded'));
    this.unsubscribe.push(
      deps.jobs.events.on('finished', (e) => ended(e.job.id, e.job.finishedAt, true)),
      deps.jobs.events.on('failed', (e) => ended(e.job.id, e.job.finishedAt, false)),
      deps.jobs.events.on('cancelled', (e) => ended(e.job.id, e.job.finishedAt, false)),
    );
  }

  get events(): ChallengeEventSource {
    return this.emitter;
  }

  /** Records submissions whose job ended meanwhile, then arms every open challenge's deadline (closing past ones now). */
  async start(): Promise<void> {
    for (const entry of await this.deps.store.pendingEntries()) {
      const challenge = await this.deps.store.get(entry.challengeId);
      if (!challenge) continue;
      const job = await this.deps.jobs.status({ platform: challenge.platform, serverId: challenge.serverId, userId: entry.userId }, entry.jobId).catch(() => null);
      if (job?.job.status === 'done') await this.jobEnded(entry.jobId, job.job.finishedAt, true);
      else if (job === null || job.job.status === 'failed' || job.job.status === 'cancelled') await this.jobEnded(entry.jobId, null, false);
    }
    const open = await this.deps.store.listOpen();
    for (const challenge of open) this.deadlines.arm(challenge.id, challenge.closesAt.getTime());
    this.log.info({ open: open.length }, 'challenge deadlines armed');
  }

  /** Stops the timers and the job subscriptions; the deadlines stay in the database for the next start. */
  close(): void {
    this.closed = true;
    this.deadlines.disarmAll();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** A new challenge. Only a server admin may start one; its options are resolved and checked against the server's caps now, then locked. */
  async startChallenge(request: StartRequest): Promise<ChallengeRecord> {
    if (!request.isAdmin) throw new ChallengeError({ code: 'NOT_ADMIN' });
    const title = request.title.trim();
    if (title === '' || title.length > MAX_TITLE_LENGTH) throw new ChallengeError({ code: 'BAD_TITLE', maxLength: MAX_TITLE_LENGTH });
    const durationMs = parseDuration(request.duration, { minMs: this.deps.minDurationMs ?? MIN_DURATION_MS, maxMs: this.deps.maxDurationMs ?? MAX_DURATION_MS });
    const maxStyleBytes = this.deps.maxStyleBytes ?? 25_000_000;
    if (request.style.bytes.length === 0 || request.style.bytes.length > maxStyleBytes) throw new ChallengeError({ code: 'BAD_STYLE', maxBytes: maxStyleBytes });
    const options = await this.lockedOptions(request);
    const now = this.timers.now();
    const challenge = await this.deps.store.create({
      id: (this.deps.newId ?? newJobId)(),
      platform: request.platform,
      serverId: request.serverId,
      channelId: request.channelId,
      title,
      options,
      styleImage: request.style.bytes,
      styleType: request.style.contentType,
      createdBy: request.userId,
      createdAt: new Date(now),
      closesAt: new Date(now + durationMs),
      replyRef: request.replyRef ?? null,
    });
    if (!this.closed) this.deadlines.arm(challenge.id, challenge.closesAt.getTime());
    this.log.info({ challenge: challenge.id, server: `${challenge.platform}:${challenge.serverId}`, closesAt: challenge.closesAt }, 'challenge started');
    return challenge;
  }

  /** Points the challenge's posts at another conversation (e.g. the thread the adapter made on the announcement). */
  async setReplyRef(challengeId: string, replyRef: unknown): Promise<void> {
    await this.deps.store.setReplyRef(challengeId, replyRef);
  }

  /**
   * A member's picture for a challenge: a job with the challenge's style and locked settings, through the
   * normal queue, limits and budgets. It becomes the member's entry when the job finishes before the
   * deadline, replacing their earlier entry (whose votes are dropped): `replaces` says so up front.
   */
  async submit(request: EntryRequest): Promise<SubmitOutcome> {
    const challenge = await this.resolve(request, request.challengeId, [request.channelId, request.threadId ?? null]);
    this.assertOpen(challenge);
    const current = await this.deps.store.currentEntry(challenge.id, request.userId);
    const job = await this.deps.jobs.submit({
      platform: request.platform,
      serverId: request.serverId,
      userId: request.userId,
      ...(request.isAdmin === undefined ? {} : { isAdmin: request.isAdmin }),
      channelId: request.channelId,
      threadId: request.threadId ?? null,
      content: request.content,
      styles: [challenge.styleImage],
      // every key is given, so neither the member's presets nor later server defaults change it
      options: challenge.options as StylizeOptions,
      ...(request.replyRef === undefined ? {} : { replyRef: request.replyRef }),
      ...(request.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: request.uploadLimitBytes }),
    });
    // the job's creation time orders a member's submissions: it is strictly increasing in the job service
    const entry = await this.deps.store.createEntry({ id: (this.deps.newId ?? newJobId)(), challengeId: challenge.id, userId: request.userId, jobId: job.job.id, createdAt: job.job.createdAt });
    this.log.info({ challenge: challenge.id, entry: entry.id, job: job.job.id, replaces: current?.id }, 'challenge submission queued');
    // a fast job may have ended before the entry row existed: its event found nothing to record
    const now = await this.deps.jobs.status(request, job.job.id).catch(() => null);
    if (now && now.job.status !== 'queued' && now.job.status !== 'running') await this.jobEnded(job.job.id, now.job.finishedAt, now.job.status === 'done');
    return { challenge, entry, job, replaces: current ? { entry: current, votes: await this.deps.store.countVotes(current.id) } : null };
  }

  /** One vote per member per challenge, for another member's current entry, changeable until the deadline. */
  async vote(requester: ChallengeRequester, entryId: string): Promise<VoteResult> {
    const entry = await this.deps.store.getEntry(entryId);
    const challenge = entry ? await this.deps.store.get(entry.challengeId) : null;
    if (!entry || !challenge || !sameServer(challenge, requester)) throw new ChallengeError({ code: 'ENTRY_NOT_FOUND', entryId });
    const outcome = await this.deps.store.vote(entryId, requester.userId, new Date(this.timers.now()));
    switch (outcome.kind) {
      case 'noEntry':
        throw new ChallengeError({ code: 'ENTRY_NOT_FOUND', entryId });
      case 'closed':
        throw new ChallengeError({ code: 'CHALLENGE_CLOSED', challengeId: challenge.id, closedAt: outcome.challenge.closedAt ?? outcome.challenge.closesAt });
      case 'notCurrent':
        throw new ChallengeError({ code: 'ENTRY_NOT_CURRENT', entryId });
      case 'own':
        throw new ChallengeError({ code: 'OWN_ENTRY', entryId });
      case 'unchanged':
        return { challenge, entry: outcome.entry, previousEntryId: entryId, unchanged: true };
      case 'voted':
        this.emitter.emit('voted', { challenge, entryIds: outcome.previousEntryId ? [entryId, outcome.previousEntryId] : [entryId] });
        return { challenge, entry: outcome.entry, previousEntryId: outcome.previousEntryId, unchanged: false };
    }
  }

  /** The member's current vote in a challenge (an entry id), or null. */
  async voteOf(challengeId: string, userId: string): Promise<string | null> {
    return this.deps.store.voteOf(challengeId, userId);
  }

  /** Entries by votes; equal votes are ordered by who entered first. Default: this server's open challenge. */
  async leaderboard(requester: ChallengeRequester & { readonly channelId?: string }, challengeId?: string, limit = 10): Promise<Leaderboard> {
    const challenge = await this.resolve(requester, challengeId, [requester.channelId ?? null], true);
    const ranked = await this.deps.store.leaderboard(challenge.id, limit);
    return { challenge, standings: ranked.map((r, i) => ({ ...r, place: i + 1 })) };
  }

  async votesOf(entryId: string): Promise<number> {
    return this.deps.store.countVotes(entryId);
  }

  /** Ends a challenge before its deadline: moderators and admins of its server. */
  async end(requester: ChallengeRequester, challengeId?: string, channelId?: string): Promise<{ challenge: ChallengeRecord; winners: readonly RankedEntry[] }> {
    const challenge = await this.resolve(requester, challengeId, [channelId ?? null]);
    if (!requester.isAdmin && !requester.isModerator) throw new ChallengeError({ code: 'NOT_MODERATOR', challengeId: challenge.id });
    const outcome = await this.deps.store.close(challenge.id, new Date(this.timers.now()), requester.userId);
    if (outcome.kind !== 'closed') throw new ChallengeError({ code: 'CHALLENGE_CLOSED', challengeId: challenge.id, closedAt: outcome.challenge?.closedAt ?? challenge.closesAt });
    this.deadlines.disarm(challenge.id);
    this.log.info({ challenge: challenge.id, by: requester.userId }, 'challenge ended early');
    this.emitter.emit('closed', { challenge: outcome.challenge, winners: outcome.winners, by: requester.userId });
    return { challenge: outcome.challenge, winners: outcome.winners };
  }

  /** A server's open challenges (soonest deadline first) and its most recent closed ones. */
  async list(server: ServerRef): Promise<{ open: ChallengeRecord[]; past: ChallengeRecord[] }> {
    const [open, past] = await Promise.all([
      this.deps.store.listByServer(server.platform, server.serverId, 'open', 25),
      this.deps.store.listByServer(server.platform, server.serverId, 'closed', this.deps.pastShown ?? 10),
    ]);
    return { open: open.sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime()), past };
  }

  /** Every server's open challenges and most recent closed ones, for the operator (the local web page): read only. */
  async listEverywhere(): Promise<{ open: ChallengeRecord[]; past: ChallengeRecord[] }> {
    const [open, past] = await Promise.all([this.deps.store.listAll('open', 25), this.deps.store.listAll('closed', this.deps.pastShown ?? 10)]);
    return { open: open.sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime()), past };
  }

  async get(challengeId: string): Promise<ChallengeRecord | null> {
    return this.deps.store.get(challengeId);
  }

  async getEntry(entryId: string): Promise<EntryRecord | null> {
    return this.deps.store.getEntry(entryId);
  }

  async winners(challengeId: string): Promise<RankedEntry[]> {
    return this.deps.store.winners(challengeId);
  }

  async setEntryMessage(entryId: string, messageRef: unknown): Promise<void> {
    await this.deps.store.setEntryMessage(entryId, messageRef);
  }

  /**
   * Which of `jobIds` the job service's retention must keep: entries (and running submissions) of open
   * challenges, and the winners of closed ones. Wire it as the job service's `protectedJobIds`.
   */
  async protectedJobIds(jobIds: readonly string[]): Promise<Set<string>> {
    return this.deps.store.protectedJobIds(jobIds);
  }

  private async lockedOptions(request: StartRequest): Promise<StylizeOptions> {
    const explicit = validatePatch(request.options, 'options');
    const server = await this.deps.jobs.settings.get(request);
    const preset = request.presetName === undefined || request.presetName.trim() === '' ? undefined : await this.deps.jobs.presets.optionsOf({ platform: request.platform, userId: request.userId }, request.presetName);
    const options = resolveOptions({ explicit, ...(preset ? { preset } : {}), server: server.defaults });
    // one style picture per entry: a blend list from a preset cannot apply
    const { styleBlend: _blend, ...single } = options;
    checkServerCaps(single, 1, server.limits);
    return single;
  }

  /** The challenge a command means: the given id in this server, else the server's open one (this channel's, when several). */
  private async resolve(requester: Requester, challengeId: string | undefined, channels: ReadonlyArray<string | null>, includeClosed = false): Promise<ChallengeRecord> {
    if (challengeId !== undefined && challengeId.trim() !== '') {
      const id = challengeId.trim().toLowerCase();
      const challenge = await this.deps.store.get(id);
      if (!challenge || !sameServer(challenge, requester)) throw new ChallengeError({ code: 'CHALLENGE_NOT_FOUND', challengeId: id });
      return challenge;
    }
    const open = await this.deps.store.listByServer(requester.platform, requester.serverId, 'open', 25);
    if (open.length === 1) return open[0]!;
    const here = open.filter((c) => channels.includes(c.channelId));
    if (here.length === 1) return here[0]!;
    if (open.length > 1) throw new ChallengeError({ code: 'WHICH_CHALLENGE', open: open.map((c) => ({ id: c.id, title: c.title })) });
    if (includeClosed) {
      const [latest] = await this.deps.store.listByServer(requester.platform, requester.serverId, 'closed', 1);
      if (latest) return latest;
    }
    throw new ChallengeError({ code: 'NO_OPEN_CHALLENGE' });
  }

  private assertOpen(challenge: ChallengeRecord): void {
    if (challenge.status !== 'open' || challenge.closesAt.getTime() <= this.timers.now()) {
      throw new ChallengeError({ code: 'CHALLENGE_CLOSED', challengeId: challenge.id, closedAt: challenge.closedAt ?? challenge.closesAt });
    }
  }

  /** A job ended: when it is a challenge submission, record it (idempotent: the first caller records). */
  private async jobEnded(jobId: string, finishedAt: Date | null, ok: boolean): Promise<void> {
    const entry = await this.deps.store.entryOfJob(jobId);
    if (!entry || entry.status !== 'pending') return;
    const challenge = await this.deps.store.get(entry.challengeId);
    if (!challenge) return;
    if (!ok) {
      const failed = await this.deps.store.markFailed(jobId);
      if (failed) this.emitter.emit('notEntered', { challenge, entry: failed, reason: 'failed' });
      return;
    }
    const outcome = await this.deps.store.recordFinished(jobId, finishedAt ?? new Date(this.timers.now()));
    if (outcome.kind === 'entered') {
      this.log.info({ challenge: challenge.id, entry: outcome.entry.id, replaced: outcome.replaced?.entry.id, droppedVotes: outcome.replaced?.droppedVotes }, 'challenge entry recorded');
      this.emitter.emit('entered', { challenge, entry: outcome.entry, replaced: outcome.replaced });
    } else if (outcome.kind === 'late' || outcome.kind === 'superseded') {
      this.emitter.emit('notEntered', { challenge, entry: outcome.entry, reason: outcome.kind });
    }
  }

  /** The deadline timer fired (or had passed at start). */
  private async closeDue(id: string): Promise<void> {
    if (this.closed) return;
    try {
      const outcome = await this.deps.store.close(id, new Date(this.timers.now()), null);
      if (outcome.kind !== 'closed') return; // a moderator or another process closed it first
      this.log.info({ challenge: id, winners: outcome.winners.map((w) => w.entry.id) }, 'challenge closed at its deadline');
      this.emitter.emit('closed', { challenge: outcome.challenge, winners: outcome.winners, by: null });
    } catch (error) {
      // the deadline stays in the database; try again shortly
      this.log.error({ err: error, challenge: id }, 'closing the challenge failed; retrying in a minute');
      if (!this.closed) this.deadlines.arm(id, this.timers.now() + 60_000);
    }
  }
}

function sameServer(challenge: ChallengeRecord, requester: Requester): boolean {
  return challenge.platform === requester.platform && challenge.serverId === requester.serverId;
}
