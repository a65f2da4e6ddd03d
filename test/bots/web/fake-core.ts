import type { Actor, Attachment, BotCore, Command, Reply, Transport } from '../../../src/bots/shared/contract.js';

export interface ReceivedPicture {
  readonly name: string;
  readonly declaredBytes: number | null;
  readonly declaredType: string | null;
  /** the bytes `open` streamed */
  readonly bytes: number;
}

/**
 * A core that records what the adapter handed it and reads every attachment to the end, for the tests of
 * the adapter's own duties (upload limits, time limits, the token). The job flow runs on the real core in
 * the other tests.
 */
export class RecordingCore implements BotCore {
  readonly commands: Array<{ command: Command; actor: Actor; pictures: ReceivedPicture[] }> = [];
  readonly transports: Transport[] = [];

  async handle(command: Command, actor: Actor): Promise<Reply> {
    const pictures: ReceivedPicture[] = [];
    if (command.kind === 'stylize') {
      for (const attachment of [command.content, ...command.styles]) pictures.push(await read(attachment));
    }
    this.commands.push({ command, actor, pictures });
    return { visibility: 'private', message: { tone: 'info', title: `got ${command.kind}` } };
  }

  async presetChoices(): Promise<ReadonlyArray<{ name: string; value: string }>> {
    return [];
  }

  attach(transport: Transport): () => void {
    this.transports.push(transport);
    return () => undefined;
  }

  async bind(): Promise<void> {}
}

async function read(attachment: Attachment): Promise<ReceivedPicture> {
  let bytes = 0;
  if (attachment.declaredBytes !== 0) for await (const chunk of await attachment.open(AbortSignal.timeout(10_000))) bytes += chunk.length;
  return { name: attachment.name, declaredBytes: attachment.declaredBytes, declaredType: attachment.declaredType, bytes };
}
