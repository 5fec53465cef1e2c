/**
 * Regenerates docs/config.schema.json from the config's zod schema:
 *   npx tsx scripts/config-schema.ts
 * test/triage/config-schema.test.ts fails while the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/triage/config.js';

writeFileSync(new URL('../docs/config.schema.json', import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
