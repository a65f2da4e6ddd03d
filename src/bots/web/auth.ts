import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'stylebot_session';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The single-token guard of a page reachable beyond loopback. The cookie holds a keyed hash of the token,
 * never the token itself, so a copied cookie does not reveal what to type elsewhere; changing WEB_TOKEN
 * ends every session.
 */
export class TokenGuard {
  private readonly tokenDigest: Buffer;
  readonly sessionValue: string;

  constructor(token: string) {
    this.tokenDigest = digest(token);
    this.sessionValue = createHmac('sha256', token).update('stylebot web session v1').digest('base64url');
  }

  /** compares digests so that neither the length nor the content leaks through timing */
  tokenMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  allows(request: FastifyRequest): boolean {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.startsWith('Bearer ')) return this.tokenMatches(header.slice(7).trim());
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    return cookie !== undefined && timingSafeEqual(digest(cookie), digest(this.sessionValue));
  }

  setSession(reply: FastifyReply, secure: boolean): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=${this.sessionValue}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000${secure ? '; Secure' : ''}`);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host);
}

/**
 * Another web site open in the same browser may send requests to a page on localhost (a form post, or a
 * DNS name rebound to 127.0.0.1) and spend the machine's compute. A page bound to loopback answers only
 * requests addressed to a loopback name, and any state-changing request must come from the page itself.
 */
export function sameOrigin(request: FastifyRequest, boundToLoopback: boolean): boolean {
  const host = request.headers.host ?? '';
  if (boundToLoopback) {
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0] ?? '';
    if (!isLoopback(name)) return false;
  }
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
