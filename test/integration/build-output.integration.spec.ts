/**
 * The service's build holds the service only: the simulators are a program of their own (simulators/ → dist-sim/),
 * so they never ship in dist/ or the Docker image. `npm test` builds dist/ before this runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', '..', 'dist');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [path.relative(DIST, full)];
  });
}

describe('the service build (dist/)', () => {
  it('holds the service entry point and no simulator file', () => {
    const built = files(DIST);
    expect(built).toContain('main.js');
    expect(built.filter((file) => /simulat|(^|\/)sim[-.]/i.test(file))).toEqual([]);
    for (const file of built.filter((f) => f.endsWith('.js'))) {
      expect(fs.readFileSync(path.join(DIST, file), 'utf8')).not.toMatch(/startChatwootSimulator|startWahaSimulator/);
    }
  });
});
