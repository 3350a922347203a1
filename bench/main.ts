/**
 * `npm run bench [-- 1 4 …]`: runs the scenarios of issue #7 (all by default), prints the table on stdout and
 * writes it as JSON and Markdown under bench/results/ (latest.* for a full run, partial.* for a subset).
 * Progress goes to stderr. Started by scripts/bench.js, which builds everything and makes sure Redis answers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { ScenarioResult, machineInfo, machineLine, markdown, summaryLine, textTable } from './lib/report';
import { REDIS_URL, ROOT } from './lib/stack';
import { log } from './lib/util';
import { Context, SCENARIOS } from './scenarios';

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const all = Object.keys(SCENARIOS).map(Number);
  const args = process.argv.slice(2).map(Number);
  if (args.some((n) => !all.includes(n))) {
    throw new Error(`usage: npm run bench [-- <scenario> …] with scenarios from ${all.join(', ')}`);
  }
  const ids = args.length > 0 ? [...new Set(args)].sort((a, b) => a - b) : all;
  const machine = machineInfo(await redisVersion());
  const startedAt = new Date();
  log(`Benchmark: scenarios ${ids.join(', ')} on ${machineLine(machine)}`);
  const ctx: Context = { imports: new Map() };
  const results: ScenarioResult[] = [];
  for (const id of ids) {
    log(`▶ ${id}. ${SCENARIOS[id].title}`);
    const started = Date.now();
    try {
      const output = await SCENARIOS[id].run(ctx);
      results.push({ id, ...output, durationMs: Date.now() - started });
      log(`  done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  ✖ ${message}`);
      results.push({ id, title: SCENARIOS[id].title, setup: '', rows: [], details: {}, error: message, durationMs: Date.now() - started });
    }
  }
  const totalMs = Date.now() - startedAt.getTime();
  const table = textTable(results);
  process.stdout.write(`\n${machineLine(machine)}\n\n${table}\n\n${summaryLine(results)}\n`);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const base = ids.length === all.length ? 'latest' : 'partial';
  const json = { startedAt: startedAt.toISOString(), durationMs: totalMs, machine, scenarios: results };
  fs.writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${base}.md`), markdown(results, machine, startedAt, totalMs));
  log(`Results: bench/results/${base}.json and bench/results/${base}.md`);
  process.exitCode = results.some((r) => r.error) ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
