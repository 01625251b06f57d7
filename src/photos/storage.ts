import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { HttpError } from '../lib/httpError.js';
import type { PhotoFormat } from './sniff.js';

/**
 * The media directory:
 *   originals/ab/<sha256>.<ext>          the uploaded bytes, named by their SHA-256
 *   renditions/ab/<sha256>/<name>        resized copies, made on first request
 *   tmp/<uuid>.part                      uploads and renditions being written (same filesystem,
 *                                        so the final rename is atomic)
 * Nothing is ever written in place: a file appears under its final name complete or not at all.
 */
const EXTENSIONS: Record<PhotoFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  gif: 'gif',
  tiff: 'tif',
};

export interface StagedUpload {
  path: string;
  sha256: string;
  size: number;
  /** Removes the temp file if it is still there (after a failure, or a duplicate). */
  discard(): Promise<void>;
}

export function createMediaStorage(mediaDir: string) {
  const tmpDir = join(mediaDir, 'tmp');
  const shard = (sha: string) => sha.slice(0, 2);

  const storage = {
    mediaDir,
    originalPath(sha256: string, format: PhotoFormat): string {
      return join(mediaDir, 'originals', shard(sha256), `${sha256}.${EXTENSIONS[format]}`);
    },
    renditionDir(sha256: string): string {
      return join(mediaDir, 'renditions', shard(sha256), sha256);
    },
    async tempPath(): Promise<string> {
      await mkdir(tmpDir, { recursive: true });
      return join(tmpDir, `${randomUUID()}.part`);
    },

    /**
     * Streams an upload into a temp file, hashing as it goes. More than `maxBytes` is a 413 (the
     * multipart parser usually stops it first; this guards every other caller too).
     */
    async stage(source: Readable, maxBytes: number): Promise<StagedUpload> {
      const path = await storage.tempPath();
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > maxBytes) return done(new HttpError(413, `The file is larger than the ${maxBytes}-byte limit`));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(source, meter, createWriteStream(path, { flags: 'wx' }));
        // A multipart stream cut at the size limit ends quietly and says so here.
        if ((source as Readable & { truncated?: boolean }).truncated) {
          throw new HttpError(413, `The file is larger than the ${maxBytes}-byte limit`);
        }
      } catch (err) {
        await unlink(path).catch(() => undefined);
        throw err;
      }
      return {
        path,
        sha256: hash.digest('hex'),
        size,
        discard: () => unlink(path).catch(() => undefined),
      };
    },

    /** The first `n` bytes of a file (for sniffing). */
    async head(path: string, n: number): Promise<Buffer> {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(n);
        const { bytesRead } = await fh.read(buf, 0, n, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },

    async exists(path: string): Promise<{ size: number } | null> {
      try {
        const s = await stat(path);
        return s.isFile() ? { size: s.size } : null;
      } catch {
        return null;
      }
    },

    async moveInto(from: string, to: string): Promise<void> {
      await mkdir(join(to, '..'), { recursive: true });
      await rename(from, to);
    },

    /** Removes an original and every rendition made from it. */
    async removePhotoFiles(sha256: string, format: PhotoFormat): Promise<void> {
      await rm(storage.originalPath(sha256, format), { force: true });
      await rm(storage.renditionDir(sha256), { recursive: true, force: true });
    },

    /** Deletes temp files left by a crash (older than `olderThanMs`). Best effort. */
    async sweepTemp(olderThanMs: number, now = Date.now()): Promise<number> {
      let removed = 0;
      let names: string[] = [];
      try {
        names = await readdir(tmpDir);
      } catch {
        return 0;
      }
      for (const name of names) {
        if (!name.endsWith('.part')) continue;
        const p = join(tmpDir, name);
        try {
          const s = await stat(p);
          if (now - s.mtimeMs > olderThanMs) {
            await unlink(p);
            removed++;
          }
        } catch {
          /* raced with its owner: fine */
        }
      }
      return removed;
    },
  };
  return storage;
}

export type MediaStorage = ReturnType<typeof createMediaStorage>;
