/**
 * The IMAP benchmark's clients (run in a worker thread, so their work is
 * not on the server's event loop): first one client times SELECT, FETCH
 * 1:* and a text SEARCH alone on the full mailbox, then N clients run a
 * mixed load for a while. Every answer is checked (counts, sizes, no NO or
 * BAD), so a figure can only come from work actually done.
 */
import tls from 'node:tls';
import { BenchImapClient, type CommandResult } from './imap-client.ts';

export interface LoadInput {
  port: number;
  ca: string;
  address: string;
  password: string;
  /** Stored size of each message, by UID − 1 (the mailbox was filled from UID 1). */
  sizes: number[];
  searchWord: string;
  /** How many messages hold searchWord. */
  searchMatches: number;
  clients: number;
  seconds: number;
  /** Timed repetitions of SELECT, FETCH 1:* and the warm SEARCH (the median is reported). */
  repeats: number;
}

export const OPERATIONS = ['fetch_range', 'fetch_body', 'store_seen', 'noop', 'search_unseen'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface LoadResult {
  selectColdMs: number;
  selectMs: number[];
  fetchFlagsMs: number[];
  searchTextColdMs: number;
  searchTextMs: number[];
  /** Latencies of the mixed load, by operation. */
  latenciesMs: Record<Operation, number[]>;
  mixedSeconds: number;
}

export async function runLoad(input: LoadInput): Promise<LoadResult> {
  const secureContext = tls.createSecureContext({ ca: input.ca });
  const alone = await measureAlone(input, secureContext);
  const mixed = await measureMixed(input, secureContext);
  return { ...alone, ...mixed };
}

async function timed(run: () => Promise<CommandResult>): Promise<{ ms: number; result: CommandResult }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

export async function measureAlone(
  input: LoadInput,
  secureContext: tls.SecureContext,
): Promise<Omit<LoadResult, 'latenciesMs' | 'mixedSeconds'>> {
  const messages = input.sizes.length;
  const client = await BenchImapClient.connect(input.port, secureContext);
  await client.login(input.address, input.password);
  const selectOnce = async () => {
    const { ms, result } = await timed(() => client.command('SELECT INBOX'));
    const exists = result.untagged.find((response) => / EXISTS$/.test(response.text))?.text;
    if (exists !== `* ${messages} EXISTS`)
      throw new Error(`SELECT: ${exists ?? 'no EXISTS'}, ${messages} expected`);
    return ms;
  };
  const selectColdMs = await selectOnce();
  const selectMs = await repeat(input.repeats, selectOnce);
  const fetchFlagsMs = await repeat(input.repeats, async () => {
    const { ms, result } = await timed(() => client.command('FETCH 1:* (UID FLAGS)'));
    const numbers = new Set<number>();
    for (const response of result.untagged) {
      const match = /^\* (\d+) FETCH \(UID \d+ FLAGS \(/.exec(response.text);
      if (match) numbers.add(Number(match[1]));
    }
    if (numbers.size !== messages)
      throw new Error(`FETCH 1:*: ${numbers.size} messages, ${messages} expected`);
    return ms;
  });
  const searchOnce = async () => {
    const { ms, result } = await timed(() => client.command(`UID SEARCH TEXT "${input.searchWord}"`));
    const found = searchIds(result).length;
    if (found !== input.searchMatches)
      throw new Error(`SEARCH TEXT: ${found} found, ${input.searchMatches} expected`);
    return ms;
  };
  const searchTextColdMs = await searchOnce();
  const searchTextMs = await repeat(input.repeats, searchOnce);
  await client.command('LOGOUT').catch(() => undefined);
  client.close();
  return { selectColdMs, selectMs, fetchFlagsMs, searchTextColdMs, searchTextMs };
}

async function repeat(times: number, run: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return results;
}

/** The numbers of the `* SEARCH` response. */
function searchIds(result: CommandResult): number[] {
  const line = result.untagged.find((response) => response.text.startsWith('* SEARCH'))?.text;
  if (line === undefined) throw new Error('SEARCH: no SEARCH response');
  const ids = line.slice('* SEARCH'.length).trim().split(' ').filter(Boolean).map(Number);
  if (ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new Error(`SEARCH: bad response ${line.slice(0, 200)}`);
  return ids;
}

/** N clients, each SELECTs INBOX then loops over the operations until the time is up. */
export async function measureMixed(
  input: LoadInput,
  secureContext: tls.SecureContext,
): Promise<Pick<LoadResult, 'latenciesMs' | 'mixedSeconds'>> {
  const latenciesMs = Object.fromEntries(
    OPERATIONS.map((operation) => [operation, [] as number[]]),
  ) as Record<Operation, number[]>;
  const clients = await Promise.all(
    Array.from({ length: input.clients }, async () => {
      const client = await BenchImapClient.connect(input.port, secureContext);
      await client.login(input.address, input.password);
      await client.command('SELECT INBOX');
      return client;
    }),
  );
  const started = performance.now();
  const deadline = started + input.seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        for (const operation of OPERATIONS) {
          const sent = performance.now();
          await runOperation(client, operation, input);
          latenciesMs[operation].push(performance.now() - sent);
          if (performance.now() >= deadline) break;
        }
      }
    }),
  );
  const mixedSeconds = (performance.now() - started) / 1000;
  for (const client of clients) {
    await client.command('LOGOUT').catch(() => undefined);
    client.close();
  }
  return { latenciesMs, mixedSeconds };
}

function randomInt(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low + 1));
}

async function runOperation(client: BenchImapClient, operation: Operation, input: LoadInput): Promise<void> {
  const messages = input.sizes.length;
  switch (operation) {
    case 'fetch_range': {
      const first = randomInt(1, Math.max(1, messages - 49));
      const last = Math.min(messages, first + 49);
      const result = await client.command(`FETCH ${first}:${last} (UID FLAGS ENVELOPE)`);
      const envelopes = result.untagged.filter((response) => response.text.includes(' ENVELOPE (')).length;
      if (envelopes !== last - first + 1) throw new Error(`FETCH ${first}:${last}: ${envelopes} envelopes`);
      return;
    }
    case 'fetch_body': {
      const uid = randomInt(1, messages);
      const result = await client.command(`UID FETCH ${uid} BODY.PEEK[]`);
      const body = result.untagged.find(
        (response) => response.literals.length > 0 && response.text.includes(`UID ${uid} `),
      )?.literals[0];
      if (body?.length !== input.sizes[uid - 1]) {
        throw new Error(
          `UID FETCH ${uid} BODY.PEEK[]: ${body?.length} octets, ${input.sizes[uid - 1]} stored`,
        );
      }
      return;
    }
    case 'store_seen': {
      const seq = randomInt(1, messages);
      const result = await client.command(`STORE ${seq} +FLAGS (\\Seen)`);
      const answer = result.untagged.find((response) => response.text.startsWith(`* ${seq} FETCH (`));
      if (!answer?.text.includes('\\Seen')) throw new Error(`STORE ${seq}: no FETCH with \\Seen`);
      return;
    }
    case 'noop':
      await client.command('NOOP');
      return;
    case 'search_unseen': {
      const result = await client.command('SEARCH UNSEEN');
      if (searchIds(result).length > messages)
        throw new Error('SEARCH UNSEEN: more messages than the mailbox holds');
      return;
    }
    default: {
      const unknown: never = operation;
      throw new Error(`unknown operation ${String(unknown)}`);
    }
  }
}
