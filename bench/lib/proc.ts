/**
 * Child processes of the benchmark (the simulators and the service) and what Linux says about them: CPU time from
 * /proc/<pid>/stat (utime + stime in clock ticks), resident memory from /proc/<pid>/status (VmRSS, and VmHWM, the
 * kernel's own peak), plus a 100 ms RSS sampler as a cross-check of the peak.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { sleep } from './util';

let clockTicks: number | undefined;

/** USER_HZ (`getconf CLK_TCK`), almost always 100. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time the process has used so far, in milliseconds (user, system); NaN when it is gone. */
export function cpuTimes(pid: number): { user: number; system: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / clkTck(), system: (Number(fields[12]) * 1000) / clkTck() };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** CPU time (user + system) the process has used so far, in milliseconds; NaN when it is gone. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** VmRSS and VmHWM (peak RSS) in bytes; NaN when the process is gone. */
export function memory(pid: number): { rss: number; hwm: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) * 1024 : NaN;
    };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Samples a process's RSS every `intervalMs`; keeps the largest value and the largest of each second (MB). */
export class RssSampler {
  peak = 0;
  samples = 0;
  readonly perSecondMb: number[] = [];
  private started = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.started = Date.now();
    const tick = (): void => {
      const { rss } = memory(this.pid);
      if (Number.isFinite(rss)) {
        this.peak = Math.max(this.peak, rss);
        this.samples++;
        const second = Math.floor((Date.now() - this.started) / 1000);
        const mb = Math.round((rss / 1024 / 1024) * 10) / 10;
        this.perSecondMb[second] = Math.max(this.perSecondMb[second] ?? 0, mb);
      }
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    const { rss } = memory(this.pid);
    if (Number.isFinite(rss)) this.peak = Math.max(this.peak, rss);
    return this.peak;
  }
}

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail: string[];
  exited: Promise<number | null>;
  /** Resolves with the first line of stdout that parses as JSON. */
  firstJson: Promise<Record<string, unknown>>;
}

const TAIL_LINES = 60;

export function spawnNode(name: string, script: string, env: Record<string, string>, args: string[] = []): Child {
  const child = spawn(process.execPath, [...args, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let resolveJson: (value: Record<string, unknown>) => void = () => undefined;
  let rejectJson: (error: Error) => void = () => undefined;
  const firstJson = new Promise<Record<string, unknown>>((resolve, reject) => {
    resolveJson = resolve;
    rejectJson = reject;
  });
  firstJson.catch(() => undefined);
  let jsonSeen = false;
  let partial = '';
  const onData = (data: Buffer, isStdout: boolean): void => {
    const text = partial + data.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (isStdout && !jsonSeen && line.startsWith('{')) {
        try {
          resolveJson(JSON.parse(line) as Record<string, unknown>);
          jsonSeen = true;
        } catch {
          // not JSON after all
        }
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => onData(d, true));
  child.stderr?.on('data', (d: Buffer) => onData(d, false));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (!jsonSeen) rejectJson(new Error(`${name} exited (${code}) before printing its address:\n${tail.join('\n')}`));
      resolve(code);
    }),
  );
  if (child.pid === undefined) throw new Error(`cannot start ${name}`);
  return { name, process: child, pid: child.pid, tail, exited, firstJson };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}
