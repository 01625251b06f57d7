import { closeDatabase } from '../db/client.js';
import { cliContext } from './context.js';

// cliContext() applies pending migrations; this command only reports it.
const { config, db } = cliContext();
closeDatabase(db);
console.log(`Migrations applied to ${config.databasePath}`);
