import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const PINO_LEVEL: Record<LogLevel, Logger['level']> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt, the Web API client and Socket Mode log through this into our pino logger, as one stream. */
export function boltLogger(logger: Logger): SlackLogger {
  let log = logger.child({ component: 'slack' });
  // Bolt's info is chatty connection bookkeeping ("Now connected to Slack"); ours stays the operator's
  const write = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    const error = parts.find((p): p is Error => p instanceof Error);
    const text = parts.filter((p) => p !== error).map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' ');
    if (error) log[level]({ err: error }, text || error.message);
    else log[level](text);
  };
  return {
    debug: (...parts: unknown[]) => write('debug', parts),
    info: (...parts: unknown[]) => write('debug', parts),
    warn: (...parts: unknown[]) => write('warn', parts),
    error: (...parts: unknown[]) => write('error', parts),
    // the operator's LOG_LEVEL decides, not the libraries' defaults
    setLevel: () => undefined,
    getLevel: () => (Object.entries(PINO_LEVEL).find(([, pino]) => pino === logger.level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO,
    setName: (name: string) => {
      log = logger.child({ component: 'slack', library: name });
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
