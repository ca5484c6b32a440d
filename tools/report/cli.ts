/**
 * `photo-conformance report [--out reports] [--spec FILE] [--strength FILE] results1.json [results2.json ...]`
 * Renders matrix.html and matrix.md from one or more runs, side by side, and the suite's
 * strength from the last mutation sweep when there is one.
 */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { renderReports } from './render.ts';
import { LOUD_VERDICTS } from './results-model.ts';

const USAGE = `usage: photo-conformance report [--out DIR] [--spec FILE] [--strength FILE] RESULTS.json [RESULTS.json ...]

Renders DIR/matrix.html and DIR/matrix.md from one or more results.json files; each run
(target) becomes a column, shards of one run share a column.

  --out DIR         where to write the reports (default: reports)
  --spec FILE       also list the spec's requirements that no run checked
  --strength FILE   the mutation sweep to show as "suite strength" (default: DIR/strength.json
                    when \`photo-conformance mutate\` left one there)
  -h, --help        this text`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'reports' },
        spec: { type: 'string' },
        strength: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`report: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) {
    console.error(`report: no results.json given\n\n${USAGE}`);
    return 2;
  }
  try {
    const rendered = await renderReports({
      results: parsed.positionals,
      outDir: parsed.values.out!,
      ...(parsed.values.spec ? { specFile: parsed.values.spec } : {}),
      ...(parsed.values.strength ? { strengthFile: parsed.values.strength } : {}),
    });
    for (const warning of rendered.warnings) console.error(`report: ${warning}`);
    for (const column of rendered.matrix.columns) {
      const c = column.counts;
      console.log(
        `${column.label}: ${c.total} tests, ${c.pass} pass, ${c.fail} fail, ${c['non-strict']} non-strict, ` +
          `${c.informational} informational, ${c['expected-fail']} expected fail, ${c['unexpected-pass']} unexpected pass, ${c.skip} skip`,
      );
    }
    const s = rendered.strength;
    if (s) {
      const survived = s.survived.length ? `; SURVIVED: ${s.survived.join(', ')}` : '';
      console.log(`suite strength: ${s.killed}/${s.swept} faults killed (sweep of ${s.generatedAt})${survived}`);
    }
    console.log(`report: ${relative(process.cwd(), rendered.html)} and ${relative(process.cwd(), rendered.markdown)}`);
    // Rendering succeeded; the exit code is about the report, not the verdicts (the run decides those).
    const loud = rendered.matrix.columns.reduce((n, c) => n + LOUD_VERDICTS.reduce((m, v) => m + c.counts[v], 0), 0);
    if (loud > 0) console.log(`report: ${loud} result(s) need attention (fail or unexpected pass)`);
    return 0;
  } catch (error) {
    console.error(`report: ${(error as Error).message}`);
    return 1;
  }
}
