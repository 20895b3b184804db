import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  type?: string;
  body?: string;
}

/** One route: gets the request and its body (already read, capped), returns the reply. */
export type Route = (req: IncomingMessage, body: string) => Promise<Reply> | Reply;

export const json = (value: unknown, status = 200): Reply => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
});

export const text = (body: string, status = 200): Reply => ({ status, type: 'text/plain; charset=utf-8', body });
