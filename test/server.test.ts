import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';

// These tests run the real entry points as a newcomer would: `npm start` (src/server.ts) and
// `npm run keys` (src/cli/keys.ts), each on its own temporary data directory.
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-srv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('first start: migrates, seeds, prints an admin key, serves, shuts down gracefully on SIGTERM', async (t) => {
  const dataDir = tempDir(t);
  const port = 30000 + Math.floor(Math.random() * 20000);
  // node itself with tsx's loader, not the tsx wrapper: the wrapper relays SIGTERM with 30 ms
  // windows and answers 143 (after a SIGKILL) when a loaded machine misses them.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  while (!/Newsdesk is up/.test(output)) {
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = /(ndk_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(output)?.[1];
  t.ok(key, 'the first start prints an admin key');

  const sections = await fetch(`http://127.0.0.1:${port}/v1/sections`).then((r) => r.json());
  t.ok(sections.data.length > 0, 'sample content is seeded');
  const created = await fetch(`http://127.0.0.1:${port}/v1/sections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Smoke test' }),
  });
  t.equal(created.status, 201, 'the printed key is an admin key');
  t.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM ends the process cleanly');
  t.notMatch(output.replace(key!, ''), /ndk_[0-9a-f]{16}_/, 'the key is printed once and never logged');
});

t.test('a wrong setting stops the server with a message naming the variable', async (t) => {
  const dataDir = tempDir(t);
  const result = await run(tsx, ['src/server.ts'], { env: { ...process.env, DATA_DIR: dataDir, PORT: 'eighty' } }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(result.code, 78);
  t.match(result.stderr, /PORT:/);
});

t.test('the keys CLI creates, lists and revokes keys', async (t) => {
  const dataDir = tempDir(t);
  const env = { ...process.env, DATA_DIR: dataDir };
  const created = await run(tsx, ['src/cli/keys.ts', 'create', '--name', 'Desk editor', '--scope', 'admin'], { env });
  const token = /(ndk_[0-9a-f]{16}_\S+)/.exec(created.stdout)?.[1];
  t.ok(token, 'prints the token once');
  const id = token!.slice(4, 20);
  const listed = await run(tsx, ['src/cli/keys.ts', 'list'], { env });
  t.match(listed.stdout, new RegExp(`${id}.*active.*Desk editor`));
  t.notMatch(listed.stdout, token!, 'list never shows the secret');
  await run(tsx, ['src/cli/keys.ts', 'revoke', id], { env });
  t.match((await run(tsx, ['src/cli/keys.ts', 'list'], { env })).stdout, new RegExp(`${id}.*revoked`));
  const badScope = await run(tsx, ['src/cli/keys.ts', 'create', '--name', 'x', '--scope', 'root'], { env }).catch((e) => e);
  t.equal(badScope.code, 2);
  t.match(badScope.stderr, /Unknown scope/);
});
