import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** The app's acknowledgement of one envelope: what Bolt's `ack(...)` answered. */
export interface EnvelopeAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

/**
 * Slack's Socket Mode side: `apps.connections.open` hands out `url`, the app connects, gets `hello`, then
 * receives envelopes and acknowledges each by its envelope id.
 */
export class SocketModeServer {
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (ack: EnvelopeAck) => void>();
  private connectedWaiters: Array<() => void> = [];

  attach(server: Server): void {
    this.wss = new WebSocketServer({ server, path: '/socket' });
    this.wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as EnvelopeAck;
        this.acks.get(message.envelope_id)?.(message);
        this.acks.delete(message.envelope_id);
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0APP' } }));
      for (const resolve of this.connectedWaiters) resolve();
      this.connectedWaiters = [];
    });
  }

  url(base: string): string {
    return `${base.replace(/^http/, 'ws')}/socket?ticket=${randomUUID()}`;
  }

  /** Resolves once an app is connected. */
  connected(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Sends one envelope to the connected app; resolves with its acknowledgement. */
  send(type: EnvelopeType, payload: Record<string, unknown>, retry = 0): Promise<EnvelopeAck> {
    const [socket] = this.sockets;
    if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
    const envelopeId = randomUUID();
    const acked = new Promise<EnvelopeAck>((resolve) => this.acks.set(envelopeId, resolve));
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: retry, retry_reason: retry ? 'timeout' : '' }));
    return acked;
  }

  /** Asks the app to reconnect, as Slack does every few hours (`disconnect`, reason refresh_requested). */
  refresh(): void {
    for (const socket of this.sockets) {
      socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-slack' } }));
      socket.close();
    }
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }
}
