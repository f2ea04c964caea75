/**
 * IMAP on a large mailbox: a Coo server (in this process, SQLite or
 * PostgreSQL, blobs in its blob store) with imaps on 127.0.0.1, one user whose INBOX
 * holds --messages distinct messages, and clients in a worker thread.
 *
 *   npm run bench:imap -- --messages 100000 --clients 8 [--size KB] [--seconds S] [--database-url URL]
 *
 * The fill writes the blobs through the server's blob store (64 puts in flight)
 * and the rows with appendMessage in transactions of 1000; its time is
 * printed but is not a target (on PostgreSQL it ends with ANALYZE, as
 * autovacuum would soon after such a fill). Then one client alone times SELECT INBOX
 * (the first, then the median of --repeats), FETCH 1:* (UID FLAGS) and
 * UID SEARCH TEXT "<a word 4 % of the messages hold>" (first, then warm),
 * and N clients run a mixed load for S seconds (each loop: FETCH of 50
 * random consecutive messages (UID FLAGS ENVELOPE), UID FETCH of one
 * BODY.PEEK[], STORE +FLAGS \Seen of one, NOOP, SEARCH UNSEEN). Latency is
 * per command, from its writing to its tagged answer; every answer is
 * checked. "Cold" is the first time after the fill, in this process (the
 * operating system's file cache still holds what the fill wrote). rss_mb
 * is the process's peak from the first SELECT on (server and clients).
 *
 * Targets: SELECT of 100,000 messages under 200 ms, FETCH 1:* (UID FLAGS) under 1 s.
 *
 * The last line printed is JSON:
 *   {"messages":…,"clients":…,"fill_s":…,"select_cold_ms":…,"select_ms":…,"fetch_flags_ms":…,
 *    "search_text_cold_ms":…,"search_text_ms":…,"ops_per_s":…,"p50_ms":…,"p99_ms":…,"rss_mb":…}
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { OPERATIONS, runLoad, type LoadInput, type LoadResult } from './imap-load.ts';
import { fillInbox } from './imap-fill.ts';
import { SEARCH_WORD } from './imap-messages.ts';
import {
  BENCH_DOMAIN,
  BENCH_PASSWORD,
  benchArguments,
  inWorker,
  median,
  percentile,
  round,
  withBenchServer,
} from './support.ts';

const ADDRESS = `reader@${BENCH_DOMAIN}`;

async function main(): Promise<void> {
  const args = benchArguments({ messages: 10000, clients: 8, size: 2, seconds: 10, repeats: 5 });
  await withBenchServer(
    { listener: 'imaps', databaseUrl: args.databaseUrl },
    async ({ server, port, ca, blobs }) => {
      const started = performance.now();
      const filled = await fillInbox(server.services, blobs, {
        address: ADDRESS,
        password: BENCH_PASSWORD,
        count: args.messages,
        size: args.size * 1024,
      });
      const fillSeconds = (performance.now() - started) / 1000;
      console.log(`filled INBOX with ${args.messages} messages in ${round(fillSeconds)} s`);
      if (args.databaseUrl) {
        // Autovacuum would gather the planner's statistics within a minute of such a fill; the
        // test server may run without it, and without them PostgreSQL sorts 100,000 rows on disk.
        await sql`analyze`.execute(server.services.store.db);
      }
      const rss = trackPeakRss();
      const result = await inWorker<LoadInput, LoadResult>(import.meta.url, {
        port,
        ca,
        address: ADDRESS,
        password: BENCH_PASSWORD,
        sizes: filled.sizes,
        searchWord: SEARCH_WORD,
        searchMatches: filled.searchMatches,
        clients: args.clients,
        seconds: args.seconds,
        repeats: args.repeats,
      });
      rss.stop();
      printDetails(result);
      const all = OPERATIONS.flatMap((operation) => result.latenciesMs[operation]).sort((a, b) => a - b);
      const summary = {
        messages: args.messages,
        clients: args.clients,
        fill_s: round(fillSeconds),
        select_cold_ms: round(result.selectColdMs),
        select_ms: round(median(result.selectMs)),
        fetch_flags_ms: round(median(result.fetchFlagsMs)),
        search_text_cold_ms: round(result.searchTextColdMs),
        search_text_ms: round(median(result.searchTextMs)),
        ops_per_s: round(all.length / result.mixedSeconds),
        p50_ms: round(percentile(all, 0.5)),
        p99_ms: round(percentile(all, 0.99)),
        rss_mb: Math.round(rss.peak() / 1024 / 1024),
      };
      console.log(JSON.stringify(summary));
    },
  );
}

/** The process's resident set, sampled while the clients run (workers share it). */
function trackPeakRss(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    stop: () => clearInterval(timer),
  };
}

function printDetails(result: LoadResult): void {
  const list = (values: number[]) => values.map(round).join(', ');
  console.log(`SELECT INBOX: first ${round(result.selectColdMs)} ms, then ${list(result.selectMs)} ms`);
  console.log(`FETCH 1:* (UID FLAGS): ${list(result.fetchFlagsMs)} ms`);
  console.log(
    `UID SEARCH TEXT: first ${round(result.searchTextColdMs)} ms, then ${list(result.searchTextMs)} ms`,
  );
  for (const operation of OPERATIONS) {
    const sorted = [...result.latenciesMs[operation]].sort((a, b) => a - b);
    console.log(
      `  ${operation.padEnd(14)} ${String(sorted.length).padStart(6)} ops  p50 ${round(percentile(sorted, 0.5))} ms  p99 ${round(percentile(sorted, 0.99))} ms`,
    );
  }
}

// Last: the main thread runs the server, the worker the clients.
if (isMainThread) await main();
else parentPort?.postMessage(await runLoad(workerData as LoadInput));
