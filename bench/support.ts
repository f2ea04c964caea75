/** What the benchmarks share: a free port, and a data dir's listener list with only some of them on. */
import { createServer } from 'node:net';
import { LISTENER_NAMES, type ListenerName } from '../src/config/schema.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `--listen` entries for initDataDir: the given listeners on 127.0.0.1 at their port, every other one off. */
export function onlyListeners(on: Partial<Record<ListenerName, number>>): string[] {
  return LISTENER_NAMES.map((name) => {
    const port = on[name];
    return port === undefined ? `${name}=off` : `${name}=127.0.0.1:${port}`;
  });
}
