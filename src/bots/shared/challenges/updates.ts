import type { Logger } from 'pino';
import type { ChallengeEventMap, ChallengeRecord } from '../../../challenges/index.js';
import type { FileUpload, MessageParts, ReplyRef, Transport } from '../contract.js';
import type { JobsPort } from '../ports.js';
import type { Timers } from '../timers.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../transport-retry.js';
import { closingMessage, entryMessage, lateEntryMessage, replacedEntryMessage } from './messages.js';
import type { ChallengesPort } from './ports.js';

type Task = (transport: Transport) => Promise<void>;

/** posts kept per platform while it has no transport */
const MAX_PARKED = 100;

export interface ChallengeUpdatesDeps {
  readonly challenges: ChallengesPort;
  readonly jobs: Pick<JobsPort, 'resultFiles'>;
  readonly logger: Logger;
  readonly timers: Timers;
  readonly retry?: RetryPolicy;
  /** an entry's vote count is edited at most this often, default 10 s */
  readonly voteEditIntervalMs?: number;
}

/**
 * Posts what happens in a challenge to its conversation through the platform's Transport: each entry
 * (result and GIF, with its Vote button), the vote counts on the entries (coalesced), the replaced entries,
 * and the closing announcement with the winners' pictures. Deliveries run one at a time, in order; a
 * transport error is retried when retryable and otherwise logged: the challenge goes on, and its standings
 * stay available with /challenge leaderboard.
 */
export class ChallengeUpdates {
  private readonly transports = new Map<string, Transport>();
  private readonly log: Logger;
  private readonly off: Array<() => void>;
  private chain: Promise<void> = Promise.resolve();
  private readonly countTimers = new Map<string, unknown>();
  private readonly lastCountEdit = new Map<string, number>();
  private closed = false;
  private readonly parked = new Map<string, Array<{ what: string; task: Task }>>();

  constructor(private readonly deps: ChallengeUpdatesDeps) {
    this.log = deps.logger.child({ component: 'challenge-updates' });
    const events = deps.challenges.events;
    this.off = [
      events.on('entered', (e) => this.enqueue(e.challenge.platform, 'posting an entry', (t) => this.postEntry(t, e))),
      events.on('notEntered', (e) => {
        if (e.reason === 'late') this.enqueue(e.challenge.platform, 'posting a late entry', (t) => this.postTo(t, e.challenge, lateEntryMessage(e.challenge, e.entry)));
      }),
      events.on('voted', (e) => e.entryIds.forEach((id) => this.countChanged(e.challenge.platform, id))),
      events.on('closed', (e) => this.enqueue(e.challenge.platform, 'posting the winners', (t) => this.postClosing(t, e))),
    ];
  }

  /** Posts of `transport.platform` go through it from now on; those that waited for it (e.g. winners announced at start) go now. */
  attach(transport: Transport): () => void {
    this.transports.set(transport.platform, transport);
    const parked = this.parked.get(transport.platform) ?? [];
    this.parked.delete(transport.platform);
    for (const p of parked) this.enqueue(transport.platform, p.what, p.task);
    return () => {
      if (this.transports.get(transport.platform) === transport) this.transports.delete(transport.platform);
    };
  }

  /** The challenge's posts go to `conversation` from now on (the thread the adapter made on the announcement). */
  async bind(challengeId: string, conversation: ReplyRef): Promise<void> {
    await this.deps.challenges.setReplyRef(challengeId, conversation);
  }

  /** Resolves when nothing is being delivered (tests; orderly shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  close(): void {
    this.closed = true;
    for (const off of this.off.splice(0)) off();
    for (const handle of this.countTimers.values()) this.deps.timers.clearTimeout(handle);
    this.countTimers.clear();
  }

  /** Runs deliveries one at a time; without a transport for the platform yet, they wait for its attach. */
  private enqueue(platform: string, what: string, task: Task): void {
    if (this.closed) return;
    this.chain = this.chain
      .then(() => {
        const transport = this.transports.get(platform);
        if (transport) return task(transport);
        const parked = this.parked.get(platform) ?? [];
        // a platform that never comes back must not grow this without bound: the oldest go first
        if (parked.length >= MAX_PARKED) parked.shift();
        parked.push({ what, task });
        this.parked.set(platform, parked);
        return undefined;
      })
      .catch((error: unknown) => this.log.warn({ err: error, what }, 'a challenge update could not be delivered'));
  }

  private async postEntry(transport: Transport, e: ChallengeEventMap['entered']): Promise<void> {
    const challenge = (await this.deps.challenges.get(e.challenge.id)) ?? e.challenge;
    if (challenge.replyRef === null) return;
    const owner = { platform: challenge.platform, serverId: challenge.serverId, userId: e.entry.userId };
    const result = await this.deps.jobs.resultFiles(owner, e.entry.jobId);
    const files: FileUpload[] = [
      { role: 'result', name: `entry-${e.entry.id}.png`, contentType: 'image/png', bytes: result.png, alt: `Entry ${e.entry.id} of the challenge ${challenge.title}` },
      { role: 'gif', name: `entry-${e.entry.id}.gif`, contentType: 'image/gif', bytes: result.gif, alt: `How entry ${e.entry.id} was painted, step by step` },
    ];
    const votes = await this.deps.challenges.votesOf(e.entry.id);
    const ref = await this.call(() => transport.upload(challenge.replyRef as ReplyRef, entryMessage(challenge, e.entry, votes, challenge.status === 'open', e.replaced?.droppedVotes ?? null), files));
    await this.deps.challenges.setEntryMessage(e.entry.id, ref);
    this.lastCountEdit.set(e.entry.id, this.deps.timers.now());
    if (e.replaced && e.replaced.entry.messageRef !== null) {
      await this.call(() => transport.edit(e.replaced!.entry.messageRef as ReplyRef, replacedEntryMessage(challenge, e.replaced!.entry, e.replaced!.droppedVotes)));
    }
  }

  /** At most one count edit per entry per interval; the count is read when the edit is made, so the latest wins. */
  private countChanged(platform: string, entryId: string): void {
    if (this.closed || this.countTimers.has(entryId)) return;
    const interval = this.deps.voteEditIntervalMs ?? 10_000;
    const wait = Math.max(0, (this.lastCountEdit.get(entryId) ?? -Infinity) + interval - this.deps.timers.now());
    const edit = () => {
      this.countTimers.delete(entryId);
      this.lastCountEdit.set(entryId, this.deps.timers.now());
      this.enqueue(platform, 'editing a vote count', (t) => this.editCount(t, entryId));
    };
    if (wait === 0) edit();
    else this.countTimers.set(entryId, this.deps.timers.setTimeout(edit, wait));
  }

  private async editCount(transport: Transport, entryId: string): Promise<void> {
    const entry = await this.deps.challenges.getEntry(entryId);
    if (!entry || entry.status !== 'entered' || entry.messageRef === null) return;
    const challenge = await this.deps.challenges.get(entry.challengeId);
    if (!challenge) return;
    const votes = await this.deps.challenges.votesOf(entryId);
    await this.call(() => transport.edit(entry.messageRef as ReplyRef, entryMessage(challenge, entry, votes, challenge.status === 'open', null)));
  }

  private async postClosing(transport: Transport, e: ChallengeEventMap['closed']): Promise<void> {
    const challenge = (await this.deps.challenges.get(e.challenge.id)) ?? e.challenge;
    if (challenge.replyRef === null) return;
    const files: FileUpload[] = [];
    for (const [i, w] of e.winners.entries()) {
      try {
        const result = await this.deps.jobs.resultFiles({ platform: challenge.platform, serverId: challenge.serverId, userId: w.entry.userId }, w.entry.jobId);
        files.push({ role: 'result', name: `place-${i + 1}-entry-${w.entry.id}.png`, contentType: 'image/png', bytes: result.png, alt: `Place ${i + 1}: entry ${w.entry.id}` });
      } catch (error) {
        // retention keeps winners' files; one removed by hand leaves the announcement without that picture
        this.log.warn({ err: error, entry: w.entry.id }, 'a winner\'s picture is missing');
      }
    }
    const message = closingMessage(challenge, e.winners, e.by);
    await this.call(() => (files.length > 0 ? transport.upload(challenge.replyRef as ReplyRef, message, files) : transport.post(challenge.replyRef as ReplyRef, message)));
    // the entries lose their Vote buttons and show their final counts
    const board = await this.deps.challenges.leaderboard({ platform: challenge.platform, serverId: challenge.serverId, userId: challenge.createdBy }, challenge.id, 500);
    for (const standing of board.standings) {
      const ref = standing.entry.messageRef;
      if (ref === null) continue;
      const pending = this.countTimers.get(standing.entry.id);
      if (pending !== undefined) this.deps.timers.clearTimeout(pending);
      this.countTimers.delete(standing.entry.id);
      await this.call(() => transport.edit(ref as ReplyRef, entryMessage(board.challenge, standing.entry, standing.votes, false, null))).catch((error: unknown) =>
        this.log.warn({ err: error, entry: standing.entry.id }, 'an entry of a closed challenge still shows its Vote button'),
      );
    }
  }

  private async postTo(transport: Transport, challenge: ChallengeRecord, message: MessageParts): Promise<void> {
    const fresh = (await this.deps.challenges.get(challenge.id)) ?? challenge;
    if (fresh.replyRef === null) return;
    await this.call(() => transport.post(fresh.replyRef as ReplyRef, message));
  }

  private call<T>(call: () => Promise<T>): Promise<T> {
    return withRetry(call, this.deps.timers, this.deps.retry ?? DEFAULT_RETRY);
  }
}
