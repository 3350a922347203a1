/** The layering check that `npm run lint` runs: it must refuse an upward import, a sideways one, and a cycle. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { check } = require('./check-layers.js') as { check: (src: string) => string[] };

function tree(files: Record<string, string>): string {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), body);
  }
  return src;
}

describe('check-layers', () => {
  it('accepts imports that point down and within a module', () => {
    const src = tree({
      'main.ts': "import './commands/a';",
      'commands/a.ts': "import { b } from './b';\nimport '../pull/p';\nimport '../common/c';",
      'commands/b.ts': 'export const b = 1;',
      'pull/p.ts': "import '../conversations/w';",
      'conversations/w.ts': "import '../common/c';",
      'common/c.ts': 'export {};',
    });
    expect(check(src)).toEqual([]);
  });

  it('refuses an import of a layer above', () => {
    const src = tree({ 'queue/q.ts': "import '../pull/p';", 'pull/p.ts': 'export {};' });
    expect(check(src)).toEqual([expect.stringContaining('"queue" may not import "pull", a layer above it')]);
  });

  it('refuses an import of a module of the same layer', () => {
    const src = tree({ 'relay/r.ts': "import type { X } from '../pull/p';", 'pull/p.ts': 'export type X = 1;' });
    expect(check(src)).toEqual([expect.stringContaining('"relay" may not import "pull", a module of its own layer')]);
  });

  it('refuses a cycle inside a module', () => {
    const src = tree({ 'pull/a.ts': "import './b';", 'pull/b.ts': "import './c';", 'pull/c.ts': "import './a';" });
    const problems = check(src);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^import cycle: .*pull\/a\.ts → .*pull\/b\.ts → .*pull\/c\.ts → .*pull\/a\.ts$/);
  });

  it('names a module that has no layer', () => {
    const src = tree({ 'commands/a.ts': "import '../dashboard/m';", 'dashboard/m.ts': 'export {};' });
    expect(check(src)).toEqual([expect.stringContaining('module "dashboard" has no layer')]);
  });
});
