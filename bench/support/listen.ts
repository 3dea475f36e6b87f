/** Starting the benchmark's helper HTTP servers the same way. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  /** Connections accepted so far (the harness checks that hops keep theirs alive). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 picks a port) with a keep-alive timeout longer
 * than any pause in a run; `close` also ends kept-alive connections and then
 * runs `onClose`.
 */
export async function listen(
  server: Server,
  host: string,
  port: number,
  onClose: () => void = () => undefined,
): Promise<RunningServer> {
  server.keepAliveTimeout = 60_000;
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        onClose();
      }),
  };
}
