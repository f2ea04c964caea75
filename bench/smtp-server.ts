/**
 * The server side of bench/smtp.ts: `coo serve` as startServer runs it, on
 * the given data dir, with mail's DNS answering nothing at once (a LAN with
 * no DNS: SPF, DKIM and DMARC say temperror, as they would there) so the
 * figure is the server's own and not a resolver's. Tells the parent
 * {ready, port}; on 'stop' it reports the CPU time it used since then
 * ({cpuMs}) and stops.
 */
import { createLogger } from '../src/log.ts';
import type { DnsResolver } from '../src/mail/mail-system.ts';
import { startServer } from '../src/server.ts';

// One error for every query: what is measured is the server, not the stack traces of a fake resolver.
const refused = Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' });
const offline: DnsResolver = () => Promise.reject(refused);

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: smtp-server.ts DATA_DIR');
const server = await startServer({ dataDir, logger: createLogger('warn'), mail: { resolver: offline } });
const port = server.address('smtp')?.port;
const started = process.cpuUsage();
process.send?.({ ready: true, port });
process.on('message', (message: unknown) => {
  if ((message as { stop?: boolean }).stop) {
    // CPU time of the whole process (event loop, thread pool, kernel) while it served the run.
    const used = process.cpuUsage(started);
    process.send?.({ cpuMs: (used.user + used.system) / 1000 });
    void server.close().then(() => process.exit(0));
  }
});
