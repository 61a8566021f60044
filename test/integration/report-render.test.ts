import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderReport, runSimulation } from '@foresight/app';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = fileURLToPath(new URL('../../../infra/install-chromium.sh', import.meta.url));
const CHARTS = ['chart-learning-curve', 'chart-precision-recall', 'chart-degraded', 'chart-resource-cost', 'chart-incident-graph', 'chart-incident-grants'];

interface Rendered {
  readonly stdout: string;
  /** Console messages of the page (chromium logs them as `INFO:CONSOLE` with --enable-logging=stderr). */
  readonly console: readonly string[];
  readonly status: number | null;
}

/** Headless Chromium on a file, isolated (own profile, no network services); `mode` is --dump-dom or --screenshot=FILE. */
function chromium(file: string, mode: string, profile: string): Rendered {
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--hide-scrollbars', '--window-size=1200,2400', mode, pathToFileURL(file).href,
  ], { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, console: r.stderr.split('\n').filter((l) => l.includes(':CONSOLE')), status: r.status };
}

describe('the HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foresight-report-'));
  const report = join(dir, 'report.html');

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      const install = spawnSync('bash', [INSTALL], { stdio: 'inherit', timeout: 600_000 });
      assert.equal(install.status, 0, `${INSTALL} failed: chromium is needed for this test`);
    }
    const result = await runSimulation({ vms: 300, durationMs: 15 * 60_000, seed: 3 });
    writeFileSync(report, renderReport(result));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every chart, with no console message', () => {
    const r = chromium(report, '--dump-dom', join(dir, 'profile-dom'));
    assert.equal(r.status, 0);
    for (const id of CHARTS) assert.match(r.stdout, new RegExp(`<svg[^>]*id="${id}"`), `chart ${id} in the rendered DOM`);
    assert.match(r.stdout, /<table id="summary-table">/);
    assert.deepEqual(r.console, [], 'the console stays silent');
  });

  it('paints a screenshot', () => {
    const png = join(dir, 'report.png');
    const r = chromium(report, `--screenshot=${png}`, join(dir, 'profile-shot'));
    assert.equal(r.status, 0);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(bytes.length > 50_000, `a painted page, not a blank one (${bytes.length} bytes)`);
    assert.deepEqual(r.console, []);
  });

  it('would see a console error (the check is not vacuous)', () => {
    const page = join(dir, 'broken.html');
    writeFileSync(page, '<!doctype html><p>x</p><script>console.error("broken on purpose")</script>');
    assert.equal(chromium(page, '--dump-dom', join(dir, 'profile-broken')).console.length, 1);
  });
});
