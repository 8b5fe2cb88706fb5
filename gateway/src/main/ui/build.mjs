// Builds the web UI into a directory the gateway serves as /ui/ (the Maven build passes
// target/classes/META-INF/resources/ui): the UI's own modules as they are, and the three modules it
// imports from npm (Preact, its hooks, htm) copied to vendor/, which index.html's import map names.
// No bundler and no transpiler: browsers run these ES modules as written, so what is served is what
// is in src/ and what the lock file pinned.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUTPUT_DIR');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(here, 'src'), out, { recursive: true });
const vendor = {
  'preact.mjs': 'node_modules/preact/dist/preact.mjs',
  'hooks.mjs': 'node_modules/preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'node_modules/htm/dist/htm.mjs',
};
for (const [name, from] of Object.entries(vendor)) {
  cpSync(join(here, from), join(out, 'vendor', name));
}
console.log(`berth-ui: built into ${out}`);
