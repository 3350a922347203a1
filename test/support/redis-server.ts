/** A Redis of a test's own (`redis-server` on a free port), to stop, restart or configure as a deployment might. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { eventually } from './wait';

/** Starts `redis-server` on the port with its data in `dir` (RDB snapshots off; `args` add settings). */
export async function startRedis(port: number, dir: string, args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  await eventually(() => spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG'), { what: 'redis up' });
  return child;
}

/** Shuts it down as an operator would (`SHUTDOWN`: the AOF is flushed) and waits for the process to end. */
export async function stopRedis(port: number, child: ChildProcess): Promise<void> {
  spawnSync('redis-cli', ['-p', String(port), 'shutdown']);
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
}
