import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { TransportError } from '../shared/contract.js';

/** Discord's JSON error codes the adapter reacts to. */
export const DISCORD_CODES = {
  unknownMessage: 10008,
  unknownInteraction: 10062,
  alreadyAcknowledged: 40060,
  invalidWebhookToken: 50027,
  wrongChannelType: 50024,
  threadExists: 160004,
} as const;

export function discordCode(error: unknown): number | undefined {
  if (!(error instanceof DiscordAPIError) && !(error instanceof Error && error.name.startsWith('DiscordAPIError'))) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || !['DiscordAPIError', 'HTTPError', 'RateLimitError'].some((n) => error.name.startsWith(n))) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : error.name.startsWith('RateLimitError') ? 429 : undefined;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

function isNetworkFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

/**
 * A discord.js / REST failure as the core's TransportError: rate limits, 5xx and network failures or
 * timeouts are worth retrying; 4xx (missing permission, unknown channel, too large) are not. The message
 * names the route and status, never the token (REST errors carry URLs with interaction tokens in them).
 */
export function toTransportError(error: unknown, what: string): TransportError {
  if (error instanceof TransportError) return error;
  const status = statusOf(error);
  if (status !== undefined && !(error instanceof DiscordAPIError) && !(error instanceof HTTPError) && !(error instanceof RateLimitError)) {
    // the same errors from another copy of @discordjs/rest (its ESM and CJS builds are two modules)
    return new TransportError(`${what}: Discord answered ${status}`, status === 429 || status >= 500, undefined, { cause: new Error(hideTokens((error as Error).message)) });
  }
  if (error instanceof RateLimitError) return new TransportError(`${what}: rate limited`, true, error.retryAfter, { cause: error });
  if (error instanceof DiscordAPIError) {
    const retryable = error.status === 429 || error.status >= 500;
    return new TransportError(`${what}: Discord answered ${error.status} (code ${error.code})`, retryable, undefined, { cause: redacted(error) });
  }
  if (error instanceof HTTPError) return new TransportError(`${what}: Discord answered ${error.status}`, error.status === 429 || error.status >= 500, undefined, { cause: redacted(error) });
  if (isNetworkFailure(error)) return new TransportError(`${what}: no answer from Discord`, true, undefined, { cause: error });
  return new TransportError(`${what}: ${error instanceof Error ? error.message : String(error)}`, false, undefined, { cause: error });
}

const hideTokens = (text: string) => text.replace(/\/webhooks\/(\d+)\/[^/\s?]+/g, '/webhooks/$1/<token>').replace(/\/interactions\/(\d+)\/[^/\s?]+/g, '/interactions/$1/<token>');

/** Webhook URLs hold interaction tokens: keep them out of logs (discord.js errors carry the URL and body). */
function redacted(error: DiscordAPIError | HTTPError): Error {
  const copy = new Error(hideTokens(error.message));
  copy.name = error.name;
  return copy;
}

/** An error as it may be logged: name, message, status and code, tokens removed. */
export function loggableError(error: unknown): { name: string; message: string; status?: number; code?: number | string; stack?: string } {
  if (error instanceof DiscordAPIError) return { name: error.name, message: hideTokens(error.message), status: error.status, code: error.code, stack: `${error.method} ${hideTokens(error.url)}` };
  if (error instanceof HTTPError) return { name: error.name, message: hideTokens(error.message), status: error.status, stack: `${error.method} ${hideTokens(error.url)}` };
  if (error instanceof Error) return { name: error.name, message: hideTokens(error.message), ...(error.stack ? { stack: hideTokens(error.stack) } : {}) };
  return { name: 'Error', message: hideTokens(String(error)) };
}
