/**
 * The conformance suite's Playwright configuration. API tests only: no browser is started.
 * One project per target; `photo-conformance run --target mock|url|tenant` picks one and
 * sets the PHOTO_* environment the harness reads (suites/harness/target.ts).
 */
import { defineConfig } from '@playwright/test';

const target = process.env.PHOTO_TARGET ?? 'mock';
const profile = process.env.PHOTO_PROFILE ?? 'docs';
// A real tenant is shared state: one request at a time keeps its throttling budget and
// journal simple. A mock per worker has no shared state at all.
const workers = target === 'tenant' ? 1 : undefined;

export default defineConfig({
  testDir: './suites/generated',
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  workers,
  retries: 0,
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  outputDir: './test-results',
  globalSetup: './suites/harness/global-setup.ts',
  globalTeardown: './suites/harness/global-teardown.ts',
  // `dot` keeps a 600-test run on one screen; PHOTO_LINE_REPORTER=list names every test.
  reporter: [
    [process.env.PHOTO_LINE_REPORTER === 'list' ? 'list' : 'dot'],
    ['html', { outputFolder: 'reports/html', open: 'never' }],
    ['junit', { outputFile: 'reports/junit.xml' }],
    ['json', { outputFile: 'reports/playwright.json' }],
    ['./tools/report/reporter.ts', { outputFile: process.env.PHOTO_RESULTS_FILE ?? 'reports/results.json' }],
  ],
  use: { trace: 'off' },
  projects: [
    { name: 'mock', metadata: { target: 'mock', profile: 'docs' } },
    { name: 'mock-live', metadata: { target: 'mock', profile: 'live' } },
    { name: 'url', metadata: { target: 'url', baseUrl: process.env.PHOTO_BASE_URL ?? null } },
    { name: 'tenant', metadata: { target: 'tenant' } },
  ].filter((p) => (p.metadata.target === 'mock' ? p.metadata.target === target && p.metadata.profile === profile : p.metadata.target === target)),
});
