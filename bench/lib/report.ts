/** The benchmark's output: one row per figure with its target and verdict, as a text table, Markdown and JSON. */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Row {
  figure: string;
  /** Display value. */
  value: string;
  /** The number behind it (for the JSON), or null. */
  raw: number | null;
  /** The target as written in the issue, or '' for figures given for context. */
  target: string;
  /** true/false against the target; null when there is no target or it could not be measured. */
  pass: boolean | null;
  /** A correctness check of the run (every message imported, one chat at a time…) rather than a target of the issue. */
  check?: boolean;
}

export interface ScenarioResult {
  id: number;
  title: string;
  /** What ran, in one line (sizes, ceilings, settings). */
  setup: string;
  rows: Row[];
  /** Everything measured, for the JSON file. */
  details: Record<string, unknown>;
  error?: string;
  durationMs: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  redis: string;
  os: string;
}

export function machineInfo(redisVersion: string): Machine {
  let cpu = os.cpus()[0]?.model?.trim() ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpu = match[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    redis: redisVersion,
    os: `${os.type()} ${os.release()}`,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, Node ${m.node}, Redis ${m.redis}, ${m.os}`;
}

function verdict(row: Row): string {
  if (row.pass === null) return row.target ? 'n/a' : '';
  if (row.check) return row.pass ? 'ok' : 'WRONG';
  return row.pass ? 'PASS' : 'FAIL';
}

function tableRows(results: ScenarioResult[]): string[][] {
  const rows: string[][] = [];
  for (const result of results) {
    const name = `${result.id}. ${result.title}`;
    if (result.error) {
      rows.push([name, 'error', result.error.split('\n')[0].slice(0, 100), '', 'FAIL']);
      continue;
    }
    result.rows.forEach((row, i) => rows.push([i === 0 ? name : '', row.figure, row.value, row.target, verdict(row)]));
  }
  return rows;
}

const HEADER = ['Scenario', 'Figure', 'Value', 'Target', 'Result'];

export function textTable(results: ScenarioResult[]): string {
  const rows = [HEADER, ...tableRows(results)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const line = (r: string[]): string => r.map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

export function markdown(results: ScenarioResult[], machine: Machine, startedAt: Date, totalMs: number): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    `Run ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} on ${machineLine(machine)}; ${Math.round(totalMs / 1000)} s in all.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...tableRows(results).map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...results.filter((r) => !r.error).map((r) => `- **${r.id}. ${r.title}**: ${r.setup}`),
  ];
  lines.push('', summaryLine(results));
  return `${lines.join('\n')}\n`;
}

export function summaryLine(results: ScenarioResult[]): string {
  const rows = results.flatMap((r) => r.rows).filter((row) => row.pass !== null);
  const targets = rows.filter((row) => !row.check);
  const checks = rows.filter((row) => row.check);
  const errors = results.filter((r) => r.error).length;
  return (
    `Targets met: ${targets.filter((row) => row.pass).length} of ${targets.length} ` +
    `(PASS/FAIL); run checks passed: ${checks.filter((row) => row.pass).length} of ${checks.length} (ok/WRONG)` +
    `${errors ? `; ${errors} scenario(s) failed to run` : ''}.`
  );
}
