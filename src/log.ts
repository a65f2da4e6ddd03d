import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  readonly level: LogLevel;
  /**
   * One readable line per event (pino-pretty) instead of JSON. Default: when `destination` is a terminal, so
   * a person at a shell reads sentences while a service manager or a log shipper still gets JSON lines.
   */
  readonly pretty?: boolean;
  /** default: stdout */
  readonly destination?: DestinationStream & { readonly isTTY?: boolean };
}

/** Secrets never reach a log line, whatever object they travel in. */
export const REDACTED_PATHS = ['token', 'secret', 'password', '*.token', '*.secret', '*.password', '*.botToken', '*.appToken', '*.signingSecret', 'config.*.token', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie'];

/** The process's one logger, built by the composition root and passed down. */
export function createLogger(options: LoggerOptions): Logger {
  const destination: DestinationStream & { readonly isTTY?: boolean } = options.destination ?? process.stdout;
  const pretty = options.pretty ?? destination.isTTY === true;
  const base = { level: options.level, redact: REDACTED_PATHS };
  if (!pretty) return pino({ ...base, base: { app: 'stylebot' } }, destination as DestinationStream);
  // synchronous stream in this thread: no transport worker to start or flush at exit
  const stream = pinoPretty({
    destination,
    colorize: destination.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    sync: true,
  });
  return pino({ ...base, base: null }, stream);
}
