/**
 * One load-generator process of bench/im.ts: holds a share of the clients
 * (a process may hold fewer than 20,000 sockets here), logs them in with
 * their resume tokens, watches their colleagues' presence, then chats and
 * changes status on the parent's command, and reports what it measured.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSecureContext, type SecureContext } from 'node:tls';
import WebSocket from 'ws';

export interface WorkerClient {
  userId: number;
  token: string;
  /** The colleagues whose presence this client watches. */
  watch: number[];
  /** Set on chatting clients: the conversation they write into. */
  conversationPeer?: number;
  groupPeers?: number[];
}

export type ParentMessage =
  | { kind: 'connect'; url: string; ca: string; clients: WorkerClient[]; concurrency: number }
  | { kind: 'chat'; seconds: number; messagesPerSecond: number; presenceChangesPerSecond: number }
  | { kind: 'stop' };

export type WorkerReport =
  | { kind: 'connected'; connected: number; failed: number; errors: string[] }
  | {
      kind: 'chatted';
      sent: number;
      acked: number;
      latenciesMs: number[];
      /** This generator's own event-loop delay while chatting: its share of the latencies. */
      loopP99Ms: number;
      presenceFrames: number;
      presenceBytes: number;
      presenceChanges: number;
      errors: string[];
    };

interface Client {
  spec: WorkerClient;
  socket: WebSocket;
  nextId: number;
  pending: Map<number, (frame: Record<string, unknown>) => void>;
  conversationIds: number[];
}

const clients: Client[] = [];
const latencies: number[] = [];
const errors: string[] = [];
let presenceFrames = 0;
let presenceBytes = 0;

function note(error: string): void {
  if (errors.length < 20) errors.push(error);
}

function request(
  client: Client,
  t: string,
  payload: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const id = client.nextId++;
  return new Promise((resolve) => {
    client.pending.set(id, resolve);
    client.socket.send(JSON.stringify({ t, id, ...payload }));
  });
}

function onFrame(client: Client, text: string): void {
  const frame = JSON.parse(text) as Record<string, unknown>;
  if (typeof frame.re === 'number') {
    const resolve = client.pending.get(frame.re);
    client.pending.delete(frame.re);
    if (frame.t === 'error') note(`${String(frame.code)}: ${String(frame.message)}`);
    resolve?.(frame);
    return;
  }
  if (frame.t === 'presence') {
    presenceFrames++;
    presenceBytes += Buffer.byteLength(text);
  } else if (frame.t === 'message') {
    const message = frame.message as { text?: string } | undefined;
    const sentAt = Number(/^t=(\d+(?:\.\d+)?)/.exec(message?.text ?? '')?.[1]);
    if (Number.isFinite(sentAt)) latencies.push(performance.timeOrigin + performance.now() - sentAt);
  }
}

async function connectOne(url: string, secureContext: SecureContext, spec: WorkerClient): Promise<void> {
  const socket = new WebSocket(url, { secureContext, perMessageDeflate: false } as WebSocket.ClientOptions);
  const client: Client = { spec, socket, nextId: 1, pending: new Map(), conversationIds: [] };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('message', (data: Buffer) => onFrame(client, data.toString('utf8')));
  socket.on('error', (error) => note(error.message));
  const hello = await request(client, 'hello', { auth: { kind: 'resume', token: spec.token } });
  if (hello.t !== 'ok') throw new Error(`hello: ${String(hello.message)}`);
  if (spec.watch.length) await request(client, 'presence.watch', { users: spec.watch });
  clients.push(client);
}

async function connectAll(message: Extract<ParentMessage, { kind: 'connect' }>): Promise<WorkerReport> {
  let failed = 0;
  let next = 0;
  // One TLS context for every client: parsing the CA per connection costs more than the handshake.
  const secureContext = createSecureContext({ ca: message.ca });
  const lane = async () => {
    while (next < message.clients.length) {
      const spec = message.clients[next++];
      if (!spec) break;
      await connectOne(message.url, secureContext, spec).catch((error: unknown) => {
        failed++;
        note(error instanceof Error ? error.message : String(error));
      });
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  // Chatting clients open their conversations before the clock starts.
  for (const client of clients) {
    if (client.spec.conversationPeer !== undefined) {
      const answer = await request(client, 'conversation.create', {
        kind: 'direct',
        userIds: [client.spec.conversationPeer],
      });
      const data = answer.data as { id?: number } | undefined;
      if (data?.id !== undefined) client.conversationIds.push(data.id);
    }
    if (client.spec.groupPeers?.length) {
      const answer = await request(client, 'conversation.create', {
        kind: 'group',
        userIds: client.spec.groupPeers,
        title: `bench ${client.spec.userId}`,
      });
      const data = answer.data as { id?: number } | undefined;
      if (data?.id !== undefined) client.conversationIds.push(data.id);
    }
  }
  return { kind: 'connected', connected: clients.length, failed, errors: errors.splice(0) };
}

async function chat(message: Extract<ParentMessage, { kind: 'chat' }>): Promise<WorkerReport> {
  const chatters = clients.filter((c) => c.conversationIds.length > 0);
  const start = Date.now();
  const end = start + message.seconds * 1000;
  let sent = 0;
  let acked = 0;
  let presenceChanges = 0;
  const acks: Promise<void>[] = [];
  const tickMs = 20;
  let turn = 0;
  const states = ['busy', 'meeting', 'away', 'online', 'out'];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  latencies.length = 0;
  presenceFrames = 0;
  presenceBytes = 0;
  while (Date.now() < end && chatters.length > 0) {
    // What is due by now, from the start: a late timer sends more at the next tick, not fewer in all.
    const elapsed = (Date.now() - start) / 1000;
    let credit = Math.floor(message.messagesPerSecond * elapsed) - sent;
    let presenceCredit = Math.floor(message.presenceChangesPerSecond * elapsed) - presenceChanges;
    while (credit >= 1) {
      credit--;
      const client = chatters[turn++ % chatters.length];
      const conversationId = client?.conversationIds[turn % client.conversationIds.length];
      if (!client || conversationId === undefined) continue;
      const text = `t=${performance.timeOrigin + performance.now()} hello from ${client.spec.userId}`;
      sent++;
      acks.push(
        request(client, 'message.send', { conversationId, text }).then((answer) => {
          if (answer.t === 'ok') acked++;
        }),
      );
    }
    while (presenceCredit >= 1) {
      presenceCredit--;
      const client = clients[(turn * 7919) % clients.length];
      if (!client) continue;
      presenceChanges++;
      client.socket.send(
        JSON.stringify({ t: 'presence.set', state: states[presenceChanges % states.length] }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.race([Promise.all(acks), new Promise((resolve) => setTimeout(resolve, 5000))]);
  // Let the last deliveries and presence deltas arrive.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  loop.disable();
  return {
    kind: 'chatted',
    loopP99Ms: loop.percentile(99) / 1e6,
    sent,
    acked,
    latenciesMs: latencies.splice(0),
    presenceFrames,
    presenceBytes,
    presenceChanges,
    errors: errors.splice(0),
  };
}

process.on('message', (message: ParentMessage) => {
  const reply = (report: WorkerReport) => process.send?.(report);
  switch (message.kind) {
    case 'connect':
      void connectAll(message).then(reply);
      break;
    case 'chat':
      void chat(message).then(reply);
      break;
    case 'stop':
      for (const client of clients) client.socket.terminate();
      process.exit(0);
      break;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
});
