import t from 'tap';
import { ConfigError, checkMemoryBudget, loadConfig } from '../src/config.js';

t.test('defaults make a working configuration', async (t) => {
  const c = loadConfig({});
  t.equal(c.PORT, 3000);
  t.equal(c.databasePath, './data/newsdesk.db');
  t.equal(c.mediaDir, './data/media');
  t.equal(c.corsOrigins, '*');
  t.equal(c.SEED_SAMPLE_CONTENT, true);
});

t.test('values are parsed and derived paths follow DATA_DIR', async (t) => {
  const c = loadConfig({ PORT: '8080', DATA_DIR: '/srv/nd', CORS_ORIGINS: 'https://a.example, https://b.example', SEED_SAMPLE_CONTENT: 'false' });
  t.equal(c.PORT, 8080);
  t.equal(c.PUBLIC_BASE_URL, 'http://localhost:8080', 'the public URL follows PORT unless set');
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'https://api.example.com/' }).PUBLIC_BASE_URL, 'https://api.example.com');
  t.equal(c.databasePath, '/srv/nd/newsdesk.db');
  t.same(c.corsOrigins, ['https://a.example', 'https://b.example']);
  t.same(loadConfig({ CORS_ORIGINS: 'https://a.example/, http://localhost:5173,' }).corsOrigins, ['https://a.example', 'http://localhost:5173'], 'a trailing slash or comma is tolerated');
  t.equal(loadConfig({ CORS_ORIGINS: ' * ' }).corsOrigins, '*');
  t.equal(c.SEED_SAMPLE_CONTENT, false);
});

t.test('a wrong value is refused with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ SEED_SAMPLE_CONTENT: 'maybe' }, 'SEED_SAMPLE_CONTENT'],
    [{ NEWSDESK_ADMIN_KEY: 'short' }, 'NEWSDESK_ADMIN_KEY'],
    [{ RATE_LIMIT_MAX: '-1' }, 'RATE_LIMIT_MAX'],
    // A list with no origin in it would start a server that no browser origin may call.
    [{ CORS_ORIGINS: ',' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: ' , ,' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'www.example.com' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://a.example, *' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://a.example/path' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'ftp://a.example' }, 'CORS_ORIGINS'],
  ];
  for (const [env, name] of cases) {
    t.throws(() => loadConfig(env), ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      t.match((err as Error).message, new RegExp(`${name}:`), `${JSON.stringify(env)} names ${name}`);
    }
  }
});

t.test('the caches must fit the heap: a server refuses to start rather than run out of memory', async (t) => {
  const config = loadConfig({ CACHE_ARTICLES_MB: '200', CACHE_RENDITIONS_MB: '16' });
  t.doesNotThrow(() => checkMemoryBudget(loadConfig({}), 256 * 1024 * 1024), 'the defaults fit npm start\'s 256 MB');
  t.throws(() => checkMemoryBudget(config, 256 * 1024 * 1024), /CACHE_ARTICLES_MB \+ CACHE_RENDITIONS_MB.*NODE_HEAP_MB/);
  t.doesNotThrow(() => checkMemoryBudget(config, 1024 * 1024 * 1024));
});
