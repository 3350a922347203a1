/**
 * Real replicated Redis set-ups for the cluster suite, from Debian's `redis-server` and `redis-cli`:
 * - a Redis Cluster of three masters and three replicas (`--cluster-enabled yes`, `redis-cli --cluster create`);
 * - a master, its replica and a sentinel watching them (`redis-server <conf> --sentinel`).
 * Both run with AOF on, as the README asks of a deployment, in a temporary directory of their own. A master can be
 * killed (SIGKILL: whatever it had not replicated yet is lost) and the test waits for its replica to take over.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { eventually } from './wait';

/** How long a cluster node or sentinel waits before it calls a silent master dead (short, for tests). */
const NODE_TIMEOUT_MS = 2000;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports whose cluster bus ports (+10000) are free too. */
async function freePorts(count: number): Promise<number[]> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 17000 + Math.floor(Math.random() * 8000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const free = await Promise.all(ports.flatMap((p) => [listening(p), listening(p + 10000)]));
    if (free.every(Boolean)) return ports;
  }
  throw new Error('no free ports for a local Redis set-up');
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function infoField(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

interface Server {
  port: number;
  child: ChildProcess;
}

function startServer(port: number, dir: string, args: string[]): Server {
  fs.mkdirSync(dir, { recursive: true });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', ...args], { stdio: 'ignore' });
  return { port, child };
}

async function up(server: Server): Promise<void> {
  await eventually(() => cli(server.port, 'ping').includes('PONG'), { what: `redis on ${server.port}` });
}

async function kill(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

const CLUSTER_ARGS = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(NODE_TIMEOUT_MS)];

export class LocalRedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly servers: Server[],
  ) {}

  /** Three masters, each with one replica, every slot assigned; resolves once every node says `cluster_state:ok`. */
  static async start(): Promise<LocalRedisCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wcb-cluster-'));
    const ports = await freePorts(6);
    const servers = ports.map((port) => startServer(port, path.join(dir, String(port)), CLUSTER_ARGS));
    const cluster = new LocalRedisCluster(dir, servers);
    try {
      await Promise.all(servers.map(up));
      const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
      if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
      await cluster.healthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** REDIS_CLUSTER_NODES: every node as a seed. */
  get nodes(): string {
    return this.servers.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** A cluster client for the test's own reads. */
  client(): Cluster {
    const client = new Cluster(
      this.servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
      { retryDelayOnFailover: 300, retryDelayOnClusterDown: 500, redisOptions: { maxRetriesPerRequest: 20 } },
    );
    client.on('error', () => undefined);
    return client;
  }

  private alive(): Server[] {
    return this.servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  }

  /** Every live node agrees the cluster is up and serves every slot. */
  async healthy(timeoutMs = 60_000): Promise<void> {
    await eventually(
      () => this.alive().every((s) => infoField(cli(s.port, 'cluster', 'info'), 'cluster_state') === 'ok' && infoField(cli(s.port, 'cluster', 'info'), 'cluster_slots_ok') === '16384'),
      { timeoutMs, intervalMs: 200, what: 'the Redis Cluster to be ok' },
    );
  }

  /** The port of the master serving `key`'s slot. */
  masterOf(key: string): number {
    const any = this.alive()[0];
    const slot = Number(cli(any.port, 'cluster', 'keyslot', key).trim());
    for (const line of cli(any.port, 'cluster', 'nodes').split('\n')) {
      const fields = line.trim().split(' ');
      if (fields.length < 9 || !fields[2].includes('master') || fields[2].includes('fail')) continue;
      const port = Number(fields[1].split('@')[0].split(':')[1]);
      for (const range of fields.slice(8)) {
        const [from, to] = range.split('-').map(Number);
        if (slot >= from && slot <= (to ?? from)) return port;
      }
    }
    throw new Error(`no master serves the slot of ${key}`);
  }

  /**
   * Kills (SIGKILL) the master serving `key`'s slot (then calls `afterKill`), waits until its replica serves the
   * slot and the cluster is ok again, and brings the dead node back as a replica. Returns the old and new master's ports.
   */
  async failOver(key: string, afterKill: () => void = () => undefined): Promise<{ killed: number; promoted: number }> {
    const killed = this.masterOf(key);
    const index = this.servers.findIndex((s) => s.port === killed);
    await kill(this.servers[index]);
    afterKill();
    await eventually(
      () => {
        try {
          return this.masterOf(key) !== killed;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `a replica to take over from ${killed}` },
    );
    await this.healthy();
    const promoted = this.masterOf(key);
    // The operator brings the dead node back: it rejoins as the replica of the one promoted in its place.
    this.servers[index] = startServer(killed, path.join(this.dir, String(killed)), CLUSTER_ARGS);
    await up(this.servers[index]);
    await eventually(() => new RegExp(`127\\.0\\.0\\.1:${killed}@\\d+ (myself,)?slave \\S+ \\d+ \\d+ \\d+ connected`).test(cli(promoted, 'cluster', 'nodes')), {
      timeoutMs: 60_000,
      what: `${killed} back as a replica`,
    });
    await eventually(() => infoField(cli(killed, 'info', 'replication'), 'master_link_status') === 'up', { timeoutMs: 60_000, what: `${killed} in sync` });
    return { killed, promoted };
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map(kill));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class LocalRedisSentinel {
  readonly name = 'wcbmaster';

  private constructor(
    private readonly dir: string,
    private readonly master: Server,
    private readonly replica: Server,
    private readonly sentinel: Server,
  ) {}

  /** A master, a replica of it and one sentinel (quorum 1) watching them. */
  static async start(): Promise<LocalRedisSentinel> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wcb-sentinel-'));
    const [masterPort, replicaPort, sentinelPort] = await freePorts(3);
    const master = startServer(masterPort, path.join(dir, 'master'), []);
    await up(master);
    const replica = startServer(replicaPort, path.join(dir, 'replica'), ['--replicaof', '127.0.0.1', String(masterPort)]);
    await up(replica);
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor wcbmaster 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds wcbmaster ${NODE_TIMEOUT_MS}`,
        'sentinel failover-timeout wcbmaster 10000',
        '',
      ].join('\n'),
    );
    const sentinel = { port: sentinelPort, child: spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }) };
    const topology = new LocalRedisSentinel(dir, master, replica, sentinel);
    try {
      await up(sentinel);
      await eventually(() => infoField(cli(replicaPort, 'info', 'replication'), 'master_link_status') === 'up', { what: 'the replica in sync' });
      await eventually(() => /slaves=1/.test(cli(sentinelPort, 'info', 'sentinel')), { what: 'the sentinel to see the replica' });
    } catch (error) {
      await topology.stop();
      throw error;
    }
    return topology;
  }

  /** REDIS_SENTINELS. */
  get sentinels(): string {
    return `127.0.0.1:${this.sentinel.port}`;
  }

  /** The port of the current master, as the sentinel names it. */
  masterPort(): number {
    const lines = cli(this.sentinel.port, 'sentinel', 'get-master-addr-by-name', this.name).trim().split('\n');
    return Number(lines[1]);
  }

  /** A client for the test's own reads, following the sentinel to the master. */
  client(): Redis {
    const client = new Redis({ sentinels: [{ host: '127.0.0.1', port: this.sentinel.port }], name: this.name, maxRetriesPerRequest: 20 });
    client.on('error', () => undefined);
    return client;
  }

  /** Kills (SIGKILL) the master (then calls `afterKill`) and waits until the sentinel has promoted the replica. */
  async failOver(afterKill: () => void = () => undefined): Promise<void> {
    await kill(this.master);
    afterKill();
    await eventually(() => this.masterPort() === this.replica.port, { timeoutMs: 60_000, intervalMs: 200, what: 'the sentinel to promote the replica' });
    await eventually(() => infoField(cli(this.replica.port, 'info', 'replication'), 'role') === 'master', { what: 'the replica to be master' });
  }

  async stop(): Promise<void> {
    await Promise.all([this.sentinel, this.replica, this.master].map(kill));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
