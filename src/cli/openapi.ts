import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from './openapiDocument.js';

// Regenerates openapi/openapi.json from the code. A test fails when the committed file drifts.
const target = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));
writeFileSync(target, await generateOpenApi());
console.log(`Wrote ${target}`);
