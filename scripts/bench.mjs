// Runs the benchmarks of bench/ against the built packages (`npm run bench [-- name...]`).
// TypeScript benchmarks are transpiled (types stripped, no type check: `npm run typecheck` does
// that) into node_modules/.cache/dimkit-bench/, so package imports resolve to packages/*/dist.
// Each benchmark runs in its own Node process; files starting with `_` are shared helpers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const outDir = join(root, 'node_modules', '.cache', 'dimkit-bench');

const sources = readdirSync(benchDir).filter((file) => /\.(ts|mjs|js)$/.test(file) && !file.endsWith('.d.ts'));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
for (const file of sources) {
  const text = readFileSync(join(benchDir, file), 'utf8');
  const { name, ext } = parse(file);
  if (ext === '.ts') {
    const { outputText } = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    });
    writeFileSync(join(outDir, `${name}.js`), outputText);
  } else {
    writeFileSync(join(outDir, file), text);
  }
}

const all = sources.map((file) => parse(file).name).filter((name) => !name.startsWith('_'));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')} (have: ${all.join(', ') || 'none'})`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  const file = sources.find((f) => parse(f).name === name);
  const built = join(outDir, file.endsWith('.ts') ? `${name}.js` : file);
  console.log(`# bench ${name} (${built})`);
  const { status, signal } = spawnSync(process.execPath, [built], { stdio: 'inherit', cwd: root });
  if (status !== 0) {
    failed += 1;
    console.error(`bench ${name}: ${signal ?? `exit ${status}`}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
