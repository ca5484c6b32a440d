/**
 * `photo-conformance <verb>`: one verb per tool. Each verb lives in its tool's folder as
 * `cli.ts` exporting `main(argv): Promise<number>` (the exit code), loaded on demand so a
 * verb pays only for its own imports.
 */
type VerbModule = { main(argv: string[]): Promise<number> };

const verbs: Record<string, { summary: string; load: () => Promise<VerbModule> }> = {
  extract: { summary: 'read the localized pages and write spec/profilephoto.yaml', load: () => import('../extract/cli.ts') },
  generate: { summary: 'write suites/generated/*.spec.ts from the spec', load: () => import('../generate/cli.ts') },
  mock: { summary: 'start the embedded mock tenant', load: () => import('../mock/cli.ts') },
  run: { summary: 'run the conformance suite against a target and write reports/', load: () => import('../run/cli.ts') },
  mutate: { summary: 'run the suite against the mock once per fault and print the kill matrix', load: () => import('../mutate/cli.ts') },
  prism: { summary: 'serve the OpenAPI export with Stoplight Prism behind one origin (a third-party mock on trial)', load: () => import('../prism/cli.ts') },
  export: { summary: 'write spec/openapi/*.yaml, one OpenAPI 3.1 document per API and version, from the spec', load: () => import('../export/cli.ts') },
  report: { summary: 'render reports/matrix.html and matrix.md from one or more results.json', load: () => import('../report/cli.ts') },
  'update-expectations': {
    summary: 'rewrite spec/expectations/<target>.yaml from the last results',
    load: () => import('../run/update-expectations.ts'),
  },
  start: { summary: 'the main job: extract, generate, run against the mock, report', load: () => import('../run/start.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(verbs).map((v) => v.length));
  return [
    'usage: photo-conformance <command> [options]',
    '',
    ...Object.entries(verbs).map(([name, verb]) => `  ${name.padEnd(width)}  ${verb.summary}`),
    '',
    'Run `photo-conformance <command> --help` for the options of one command.',
  ].join('\n');
}

async function dispatch(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(usage());
    return verb ? 0 : 2;
  }
  const entry = verbs[verb];
  if (!entry) {
    console.error(`photo-conformance: unknown command '${verb}'\n\n${usage()}`);
    return 2;
  }
  return (await entry.load()).main(rest);
}

// `photo-conformance extract --format json | head` closes the pipe early: that is the reader's
// choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`photo-conformance: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.PHOTO_CONFORMANCE_DEBUG) console.error(error);
    process.exitCode = 1;
  },
);
