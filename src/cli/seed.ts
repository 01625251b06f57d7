import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { seedSampleContent } from '../seed/index.js';

// Seeds the sample publication into an empty database (the server does this on first start too).
const app = await buildApp({ config: loadConfig(), logger: false });
const seeded = await seedSampleContent(app);
console.log(seeded ? `Seeded: ${JSON.stringify(seeded)}` : 'The database already has content; nothing seeded.');
await app.close();
