// Runs every example in this folder in order (npm start).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => /^\d\d-.*\.mjs$/.test(f))
  .sort();
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  await import(pathToFileURL(join(here, file)).href);
}
