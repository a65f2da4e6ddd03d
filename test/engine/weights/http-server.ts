import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly url: string;
  /** headers of every request, in arrival order */
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

/** A real HTTP server on 127.0.0.1, on a port the OS picks. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/vgg19.h5`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Serves `data` as a static file would, honouring `Range: bytes=N-` unless told to ignore it. */
export function serveBytes(data: Uint8Array, options: { ignoreRange?: boolean } = {}): Handler {
  return (req, res) => {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!match || options.ignoreRange) {
      res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes' });
      res.end(data);
      return;
    }
    const start = Number(match[1]);
    if (start >= data.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${data.length}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      'Content-Length': data.length - start,
      'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
    });
    res.end(data.subarray(start));
  };
}

/** A URL nothing listens on: a port that was just released. */
export async function closedPortUrl(): Promise<string> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.url;
}
