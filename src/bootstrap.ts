import type { FastifyInstance } from 'fastify';
import { seedSampleContent } from './seed/index.js';

/**
 * First-start chores: an admin key when none exists (printed once), and sample content on an
 * empty database so a newcomer's first curl shows real stories.
 */
export async function bootstrap(app: FastifyInstance, print: (line: string) => void = console.log): Promise<void> {
  if (!app.config.NEWSDESK_ADMIN_KEY && (await app.keys.countActive()) === 0) {
    const { token } = await app.keys.create({ name: 'initial admin', scopes: ['admin'] });
    print('');
    print('  An admin API key was created. It is shown only this once; keep it somewhere safe:');
    print('');
    print(`    ${token}`);
    print('');
    print('  Use it as:  curl -H "Authorization: Bearer <key>" …');
    print('  Create more with:  npm run keys -- create --name "Desk editor" --scope admin');
    print('');
  }
  if (app.config.SEED_SAMPLE_CONTENT) {
    const seeded = await seedSampleContent(app);
    if (seeded) app.log.info({ seeded }, 'empty database: sample content seeded');
  }
}
