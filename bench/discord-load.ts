/**
 * `npm run bench:discord`: 40 /stylize from 10 users within 2 s against the local fake Discord while a job
 * runs, through the real discord.js client, core and job service (SQLite in a temporary folder). Prints the
 * acknowledgement latency (the interaction callback as the fake received it, from the dispatch), the time to
 * the final answer, the refusals (each must be ephemeral and specific) and the queue positions handed out.
 * Target: every interaction acknowledged within 1 s, refusals ephemeral and specific, the queue order fair.
 *
 *   npm run bench:discord [-- --json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createDiscordAdapter } from '../src/bots/discord/index.js';
import { createBotCore } from '../src/bots/shared/index.js';
import { createImageInputCheck, createJobService, JobFiles, type JobRunner } from '../src/jobs/index.js';
import { openStore } from '../src/store/index.js';
import { EPHEMERAL, FakeDiscord, type CommandDefinition, type FakeInteraction, type FakeMessage } from '../test/bots/discord/fake/discord.js';

const USERS = 10;
const INVOCATIONS = 40;
const WINDOW_MS = 2000;

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, 'discord-load': { type: 'boolean', default: true } } });
const root = process.cwd();
const image = (relative: string) => readFileSync(path.resolve(root, '../shared/images', relative));
const commands = JSON.parse(readFileSync(path.join(root, 'commands/discord.json'), 'utf8')) as CommandDefinition[];

/** The job that "runs" during the bench: steps every 100 ms until released, so status edits flow meanwhile. */
function blockingRunner(): { runner: JobRunner; release: () => void; started: Promise<void> } {
  let release!: () => void;
  let markStarted!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const runner: JobRunner = async (job, context) => {
    markStarted();
    let step = 0;
    const ticker = setInterval(() => {
      step = Math.min(step + 1, job.options.steps - 1);
      context.onProgress({ step, totalSteps: job.options.steps, losses: { total: 1, style: 0.5, content: 0.5, tv: 0 } });
    }, 100);
    await Promise.race([released, new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)))]).finally(() => clearInterval(ticker));
    const png = image('content/chelsea_cat.jpg');
    return { png, gif: png, plot: png, summary: { steps: job.options.steps, seconds: 1, width: 32, height: 21, seed: 1, provider: 'bench', total: 1, style: 0.5, content: 0.5, tv: 0 } as never };
  };
  return { runner, release: () => release(), started };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const text = (m: FakeMessage) => m.embeds.map((e) => [e['title'], e['description']].filter(Boolean).join(' — ')).join(' ');

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stylebot-discord-bench-'));
  const logger = pino({ level: 'silent' });
  const fake = await new FakeDiscord({ commands }).start();
  const store = await openStore({ databasePath: path.join(dir, 'stylebot.db'), migrationsDir: path.resolve(root, 'prisma/migrations') });
  const blocking = blockingRunner();
  const service = createJobService({ store, files: new JobFiles(path.join(dir, 'data')), runner: blocking.runner, checkInputs: createImageInputCheck(), logger, sweepIntervalMs: 0 });
  const core = createBotCore({ jobs: service, logger });
  const adapter = createDiscordAdapter({ core, logger, config: { token: fake.token, applicationId: fake.applicationId, guildId: undefined, apiUrl: fake.apiUrl } });
  await adapter.start();
  await service.start();
  const users = Array.from({ length: USERS }, (_, i) => ({ id: String(200000000000000000n + BigInt(i)), username: `user${i}` }));
  const picture = (name: string, bytes: Buffer) => fake.attachment(name, bytes, 'image/jpeg');
  const content = image('content/chelsea_cat.jpg');
  const style = image('style/picabia_udnie.jpg');

  // the job that runs during the load
  const runningReply = await answer(fake, fake.slash('stylize', { content: picture('cat.jpg', content), style: picture('udnie.jpg', style), size: 32, steps: 100 }, { user: { id: '199999999999999999', username: 'first' } }));
  await blocking.started;

  const sent: Array<{ user: number; interaction: FakeInteraction; at: number }> = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: INVOCATIONS }, (_, i) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          const user = i % USERS;
          sent.push({ user, at: Date.now() - t0, interaction: fake.slash('stylize', { content: picture('cat.jpg', content), style: picture('udnie.jpg', style), size: 32, steps: 10 }, { user: users[user]! }) });
          resolve();
        }, (i * WINDOW_MS) / INVOCATIONS),
      ),
    ),
  );
  const spreadMs = Date.now() - t0;
  const outcomes = await Promise.all(
    sent.map(async (s) => {
      const ack = await fake.acknowledged(s.interaction);
      const final = await answer(fake, s.interaction);
      return { ...s, ackMs: ack.latencyMs, answerMs: Date.now() - t0 - s.at, final };
    }),
  );
  // the waiting line as the queue will run it, by user: fairness shows as users interleaved
  const userOf = new Map(users.map((u, i) => [u.id, i]));
  const finalOrder = service
    .list({ platform: 'discord', serverId: fake.guildId })
    .filter((p) => p.position !== null && p.position > 0)
    .map((p) => `user${userOf.get(p.job.userId) ?? '?'}`);
  blocking.release();

  const acks = outcomes.map((o) => o.ackMs).sort((a, b) => a - b);
  const answers = outcomes.map((o) => o.answerMs).sort((a, b) => a - b);
  const accepted = outcomes.filter((o) => (o.final.flags & EPHEMERAL) === 0);
  const refused = outcomes.filter((o) => (o.final.flags & EPHEMERAL) !== 0);
  const refusalTexts = new Map<string, number>();
  for (const r of refused) refusalTexts.set(text(r.final), (refusalTexts.get(text(r.final)) ?? 0) + 1);
  const positions = accepted.sort((a, b) => a.at - b.at).map((o) => ({ user: o.user, title: String(o.final.embeds[0]?.['title'] ?? '') }));
  const summary = {
    invocations: INVOCATIONS,
    users: USERS,
    spreadMs,
    ackMs: { p50: percentile(acks, 50), p99: percentile(acks, 99), max: acks.at(-1)! },
    answerMs: { p50: percentile(answers, 50), p99: percentile(answers, 99), max: answers.at(-1)! },
    withinOneSecond: acks.filter((a) => a <= 1000).length,
    accepted: accepted.length,
    refused: refused.length,
    refusalsAllEphemeral: refused.every((r) => (r.final.flags & EPHEMERAL) !== 0),
    refusals: Object.fromEntries(refusalTexts),
    runningJobReply: text(runningReply),
    positions,
    finalOrder,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const lines = [
      `${INVOCATIONS} /stylize from ${USERS} users over ${spreadMs} ms while a job runs`,
      `acknowledgement: p50 ${summary.ackMs.p50} ms, p99 ${summary.ackMs.p99} ms, max ${summary.ackMs.max} ms (${summary.withinOneSecond}/${INVOCATIONS} within 1 s)`,
      `final answer:    p50 ${summary.answerMs.p50} ms, p99 ${summary.answerMs.p99} ms, max ${summary.answerMs.max} ms`,
      `accepted ${accepted.length}, refused ${refused.length} (all ephemeral: ${summary.refusalsAllEphemeral})`,
      ...[...refusalTexts].map(([t, n]) => `  ${n} x ${t}`),
      'queue positions in order of arrival:',
      ...positions.map((p) => `  user${p.user}: ${p.title}`),
      `the waiting line once all were answered: ${finalOrder.join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await adapter.stop();
  await service.close();
  core.close();
  await store.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The interaction's final answer: its public reply, or the private one when nothing public came. */
async function answer(fake: FakeDiscord, interaction: FakeInteraction): Promise<FakeMessage> {
  // a public answer first resolves the private deferral with a bare title (no colour): that is not the answer
  return fake.message((m) => m.interactionId === interaction.id && m.embeds.length > 0 && ((m.flags & EPHEMERAL) === 0 || m.embeds[0]?.['color'] !== undefined), `the answer to ${interaction.id}`);
}

await main();
