import { CONTENT_BLOCK, INPUT_ACTION, STYLE_BLOCK } from '../../../src/bots/slack/modal.js';
import { buttonsOf, fileValue, numberValue, slashCommand, viewSubmission, type StateValues } from './fake/payloads.js';
import type { Message } from './fake/web-api.js';
import { hostPictures, type SlackHarness } from './support.js';

export const CHANNEL = 'C0ART';

/** The answer to the submission and the channel message that starts the job's thread. */
export interface Started {
  readonly viewId: string;
  readonly root: Message;
  readonly jobId: string;
}

/** /stylize, then the modal submitted with two real pictures and `options` (chat name -> text). */
export async function stylizeThroughModal(h: SlackHarness, options: Record<string, string> = { steps: '3' }, user = 'U0ADA'): Promise<Started> {
  const opened = h.fake.calls.length;
  await h.sender.command(slashCommand(h.fake, '/stylize', '', { channel: CHANNEL, user }));
  const call = await h.fake.waitUntil(() => h.fake.calls.slice(opened).find((c) => c.method === 'views.open'));
  const viewId = (call.response.view as { id: string }).id;
  const posted = h.fake.messages.length;
  const answer = await h.sender.interactive(viewSubmission(h.fake, viewId, modalValues(h, options), { user }));
  if (answer.status !== 200 || answer.text !== '') throw new Error(`the submission was not accepted: ${answer.status} ${answer.text}`);
  const root = await h.fake.waitUntil(() => h.fake.messages.slice(posted).find((m) => m.channel === CHANNEL && m.threadTs === null));
  return { viewId, root, jobId: jobIdOf(root) };
}

export function modalValues(h: SlackHarness, options: Record<string, string>): StateValues {
  const { content, style } = hostPictures(h.fake);
  const values: StateValues = {
    [CONTENT_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(content)).value },
    [STYLE_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(style)).value },
  };
  for (const [name, text] of Object.entries(options)) values[name] = { [INPUT_ACTION]: numberValue(text).value };
  return values;
}

/** The job id the core put in the footer of the message ("… job abc123 …"). */
export function jobIdOf(message: Message): string {
  const text = JSON.stringify(message.blocks);
  const id = /sb1:[a-z]+:([a-z0-9_-]+)/i.exec(text)?.[1] ?? /`([a-z0-9]{6,})`/i.exec(text)?.[1];
  if (!id) throw new Error(`no job id in ${text}`);
  return id;
}

/** The messages of the job's thread (root excluded). */
export function threadOf(h: SlackHarness, root: Message): Message[] {
  return h.fake.thread(root.channel, root.ts);
}

/** Resolves once the thread holds the uploaded files (the upload v2 flow completed into it) and the card below them. */
export function resultInThread(h: SlackHarness, root: Message): Promise<{ files: Message; card: Message }> {
  return h.fake.waitUntil(() => {
    const thread = threadOf(h, root);
    const files = thread.find((m) => m.files.length > 0);
    const card = files && thread.slice(thread.indexOf(files) + 1).find((m) => buttonsOf(m).length > 0);
    return files && card ? { files, card } : undefined;
  });
}

export function statusOf(h: SlackHarness, root: Message): Promise<Message> {
  return h.fake.waitUntil(() => threadOf(h, root)[0]);
}
