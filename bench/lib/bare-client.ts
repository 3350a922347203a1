/**
 * The bare-client calibration of issue 16: the least any client can do with the same load, measured on the same
 * machine in the same run, so the service's import time is judged as a ratio to it rather than against a figure
 * that depends on the machine.
 *
 * The bench process starts the same two simulators as the service's run (same history, same ChatWoot latency,
 * capacity and 503s, the same signed message_created echo of every message), then runs this file as a child
 * process: raw `node:http` with a keep-alive agent, K requests in flight, each chat strictly sequential (its
 * contact, its conversation, then its messages oldest first), each free slot taking the idle chat with the most
 * messages left, and a receiver that reads ChatWoot's echo webhooks and drops them. A 503 is retried after a short
 * backoff, as any client must. It reads the chats' messages from the WAHA simulator before the clock starts.
 */
import * as http from 'node:http';
import { spawnNode, stopChild } from './proc';
import { ChatwootOptions, HistoryOptions, startSimulators } from './stack';
import { freePort, getJson } from './util';

export interface BareClientResult {
  /** From the first request to the last message created. */
  wallMs: number;
  messages: number;
  requests: number;
  /** Answers by status (503s included; each was retried). */
  byStatus: Record<string, number>;
  /** CPU of the client process over the run (posting, and receiving every echo until they stop), ms. */
  cpuMs: number;
  echoesReceived: number;
}

interface ChildConfig {
  chatwootUrl: string;
  wahaUrl: string;
  accountId: number;
  token: string;
  inboxId: number;
  receiverPort: number;
  inFlight: number;
}

interface SimMessage {
  id: string;
  body?: string | null;
  fromMe?: boolean;
  timestamp: number;
}

/** Runs the calibration for one ChatWoot profile and returns what the client measured. */
export async function runBareClient(opts: { history: HistoryOptions; chatwoot: ChatwootOptions }): Promise<BareClientResult> {
  const receiverPort = await freePort();
  const sims = await startSimulators(opts, `http://127.0.0.1:${receiverPort}`);
  try {
    const config: ChildConfig = {
      chatwootUrl: sims.chatwootUrl,
      wahaUrl: sims.wahaUrl,
      accountId: Number(sims.cwInfo.accountId),
      token: String(sims.cwInfo.chatwootToken),
      inboxId: Number(sims.cwInfo.inboxId),
      receiverPort,
      inFlight: opts.chatwoot.capacity,
    };
    const child = spawnNode('bare client', __filename, { BARE_CLIENT_CONFIG: JSON.stringify(config) });
    try {
      const result = (await child.firstJson) as unknown as BareClientResult & { error?: string };
      if (result.error) throw new Error(`bare client: ${result.error}`);
      return result;
    } finally {
      await stopChild(child);
    }
  } finally {
    await Promise.all([stopChild(sims.chatwoot), stopChild(sims.waha)]);
  }
}

/** What the child does: load the chats, post them with K in flight, print one JSON line, wait to be stopped. */
async function child(config: ChildConfig): Promise<void> {
  let echoes = 0;
  const receiver = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      echoes++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => receiver.listen(config.receiverPort, '127.0.0.1', resolve));

  const chats = (await getJson<Array<{ id: string; kind: string; messages: number }>>(`${config.wahaUrl}/_sim/chats`)).filter((c) => c.kind === 'dm');
  const loads = await Promise.all(
    chats.map(async (chat) => {
      const messages = await getJson<SimMessage[]>(`${config.wahaUrl}/_sim/history?chatId=${encodeURIComponent(chat.id)}`);
      messages.sort((a, b) => a.timestamp - b.timestamp);
      return { chatId: chat.id, messages, next: 0, conversationId: 0, busy: false };
    }),
  );

  const url = new URL(config.chatwootUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.inFlight });
  const byStatus: Record<string, number> = {};
  let requests = 0;
  const request = (method: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `/api/v1/accounts/${config.accountId}${path}`,
          method,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), api_access_token: config.token },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            requests++;
            byStatus[status] = (byStatus[status] ?? 0) + 1;
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
            } catch {
              json = {};
            }
            resolve({ status, json });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  /** Retries 503s (ChatWoot over capacity) after 50 ms doubling up to 1 s; anything else but 2xx is an error. */
  const call = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    for (let attempt = 0; ; attempt++) {
      const { status, json } = await request(method, path, body);
      if (status >= 200 && status < 300) return json;
      if (status !== 503) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    }
  };
  type Load = (typeof loads)[number];
  /** One step of a chat: its contact and conversation first, then one message. */
  const step = async (load: Load): Promise<void> => {
    if (!load.conversationId) {
      const phone = load.chatId.split('@')[0];
      const sourceId = `bare-${phone}`;
      await call('POST', '/contacts', { inbox_id: config.inboxId, name: `+${phone}`, identifier: load.chatId, source_id: sourceId });
      const conversation = (await call('POST', '/conversations', { source_id: sourceId })) as { id: number };
      load.conversationId = conversation.id;
      return;
    }
    const message = load.messages[load.next];
    const date = new Date(message.timestamp * 1000).toISOString().slice(0, 16).replace('T', ' ');
    await call('POST', `/conversations/${load.conversationId}/messages`, {
      content: `${date}\n${message.body ?? ''}`,
      message_type: message.fromMe ? 'outgoing' : 'incoming',
      private: false,
      source_id: message.id,
    });
    load.next++;
  };
  const left = (load: Load): number => load.messages.length - load.next + (load.conversationId ? 0 : 1);
  const pick = (): Load | undefined => {
    let best: Load | undefined;
    for (const load of loads) if (!load.busy && left(load) > 0 && (!best || left(load) > left(best))) best = load;
    return best;
  };

  const started = Date.now();
  const cpuAtStart = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const fill = (): void => {
      for (let load = pick(); load && running < config.inFlight; load = pick()) {
        const chat = load;
        chat.busy = true;
        running++;
        step(chat).then(
          () => {
            chat.busy = false;
            running--;
            if (running === 0 && !pick()) resolve();
            else fill();
          },
          reject,
        );
      }
      if (running === 0) resolve();
    };
    fill();
  });
  const wallMs = Date.now() - started;
  const messages = loads.reduce((n, l) => n + l.messages.length, 0);
  // ChatWoot's echoes lag behind the posts: the wall time ends at the last post (as the service's ends at its
  // report), but the CPU figure includes receiving every echo, so wait until they stop coming.
  for (let last = -1; last !== echoes; ) {
    last = echoes;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ wallMs, messages, requests, byStatus, echoesReceived: echoes, cpuMs })}\n`);
  agent.destroy();
}

if (require.main === module) {
  const raw = process.env.BARE_CLIENT_CONFIG;
  if (!raw) throw new Error('BARE_CLIENT_CONFIG is not set');
  child(JSON.parse(raw) as ChildConfig).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exitCode = 1;
  });
}
