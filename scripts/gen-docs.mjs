#!/usr/bin/env node
// Regenerate the shell completions (completions/nlctl.bash, completions/_nlctl,
// completions/nlctl.fish) and the man page (man/nlctl.1) from nlctl's command definitions, as
// built in dist/ (build first: npx tsc -p tsconfig.json).
//
//   node scripts/gen-docs.mjs            write the files that changed, and name them
//   node scripts/gen-docs.mjs --check    write nothing; exit 1 naming the files that differ
//
// The man page's date stays as it is while the rest of the page is unchanged, so regenerating
// gives no diff; when the page changes it becomes today's date (or SOURCE_DATE_EPOCH's).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  process.stderr.write('usage: node scripts/gen-docs.mjs [--check]\n');
  process.exit(1);
}

let main, completion, manpage;
try {
  main = await import('../dist/cli/main.js');
  completion = await import('../dist/cli/completion.js');
  manpage = await import('../dist/cli/manpage.js');
} catch (err) {
  process.stderr.write(`gen-docs: cannot load dist/ (build first: npx tsc -p tsconfig.json): ${err.message}\n`);
  process.exit(1);
}

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** The man page, keeping the existing date when nothing else changed. */
function manText(file) {
  const version = main.version();
  const previous = read(file);
  const oldDate = previous && /^\.TH \S+ \S+ (\d{4}-\d{2}-\d{2}) /m.exec(previous)?.[1];
  if (oldDate) {
    const same = manpage.manPage(main.buildProgram(), { date: oldDate, version });
    if (same === previous || check) return same;
  }
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const when = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return manpage.manPage(main.buildProgram(), { date: when.toISOString().slice(0, 10), version });
}

const outputs = [
  [join(root, 'completions', 'nlctl.bash'), () => completion.completionScript('bash', main.buildProgram())],
  [join(root, 'completions', '_nlctl'), () => completion.completionScript('zsh', main.buildProgram())],
  [join(root, 'completions', 'nlctl.fish'), () => completion.completionScript('fish', main.buildProgram())],
  [join(root, 'man', 'nlctl.1'), () => manText(join(root, 'man', 'nlctl.1'))],
];

let differ = 0;
for (const [file, make] of outputs) {
  const text = make();
  if (read(file) === text) continue;
  differ++;
  const name = relative(root, file);
  if (check) {
    process.stderr.write(`gen-docs: ${name} is out of date (run: npx tsc -p tsconfig.json && node scripts/gen-docs.mjs)\n`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`gen-docs: wrote ${name}\n`);
  }
}
process.exitCode = check && differ ? 1 : 0;
