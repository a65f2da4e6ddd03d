import { Command, CommanderError, Option } from 'commander';
import { describeFailure, EXIT } from './errors.js';
import { schemaOptions } from './flags.js';
import type { CliDeps, CliIo } from './io.js';
import { stylizeCommand, type StylizeFlags } from './stylize.js';
import { downloadWeights } from './weights.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function program(io: CliIo, deps: CliDeps): Command {
  const root = new Command('stylebot')
    .description('Neural style transfer (Gatys et al.) on ONNX Runtime: the engine behind the Stylebot chat bot.')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed once, as one line, by run().
      outputError: () => undefined,
    });

  const stylize = root
    .command('stylize')
    .description('paint the content picture in the style of one or more style pictures')
    .requiredOption('--content <file>', 'the picture to repaint (JPEG, PNG, WebP or GIF)')
    .addOption(new Option('--style <file>', 'a style picture; repeat for several').argParser(collect).makeOptionMandatory())
    .requiredOption('--out <file.png>', 'where to write the result')
    .option('--gif <file.gif>', 'also write the progression as an animated GIF')
    .option('--plot <file.png>', 'also write the loss curve');
  for (const option of schemaOptions()) stylize.addOption(option);
  stylize
    .option('--weights <file>', 'VGG19 weights (.h5); default: $STYLEBOT_WEIGHTS, else downloaded once into the cache')
    .option('--json', 'print one JSON line with the losses, timing and paths at the end')
    .action(async (flags: StylizeFlags) => stylizeCommand(flags, io, deps));

  const weights = root.command('weights').description('manage the VGG19 weights');
  weights
    .command('download')
    .description('download the full VGG19 weights into the cache (about 80 MB, once)')
    .action(async () => {
      const file = await downloadWeights(io, deps);
      io.stdout.write(`Weights ready: ${file}\n`);
    });
  return root;
}

/**
 * Runs the command line on `argv` (without the node and script paths) and returns the exit code. Every
 * failure becomes one line on stderr; the details of unexpected ones go to the logger.
 */
export async function run(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const root = program(io, deps);
  if (argv.length === 0) {
    root.outputHelp();
    return EXIT.usage;
  }
  try {
    await root.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // --help and a bare `stylebot weights` print help and end here with their own exit codes.
    if (error instanceof CommanderError && ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const command = root.commands.find((c) => c.name() === argv[0]);
    const failure = describeFailure(error, command ? `stylebot ${command.name()} --help` : 'stylebot --help');
    if (failure.unexpected) deps.logger.error({ err: error }, 'unexpected failure');
    io.stderr.write(`stylebot: ${failure.message}\n`);
    return failure.exitCode;
  }
}
