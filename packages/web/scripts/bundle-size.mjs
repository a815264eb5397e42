// Prints the gzipped size of the app's JavaScript (every .js file in dist/, workers included) and
// fails the build when it exceeds the budget (issue 5: under 300 KB gzipped).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let raw = 0;
let gzipped = 0;
const rows = [];
for (const path of files(dist)) {
  if (!/\.(js|mjs|css)$/.test(path)) continue;
  const body = readFileSync(path);
  const gz = gzipSync(body, { level: 9 }).length;
  rows.push([relative(dist, path), body.length, gz]);
  if (path.endsWith('.css')) continue;
  raw += body.length;
  gzipped += gz;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const [name, size, gz] of rows.sort((a, b) => b[2] - a[2])) {
  console.log(`  ${name.padEnd(44)} ${kb(size).padStart(10)}  ${kb(gz).padStart(9)} gzip`);
}
console.log(`web bundle: JavaScript ${kb(raw)}, ${kb(gzipped)} gzipped (budget ${kb(BUDGET)})`);
if (gzipped > BUDGET) {
  console.error('web bundle: over budget');
  process.exit(1);
}
