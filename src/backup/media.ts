import { rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createMediaStorage } from '../photos/storage.js';
import type { PhotoFormat } from '../photos/sniff.js';
import { copyHashed, isMissingFile } from './files.js';
import type { BackupFile } from './manifest.js';

export interface PhotoFile {
  sha256: string;
  format: PhotoFormat;
}

/**
 * Copies the originals of `photos` from MEDIA_DIR to `dir/media/originals/…`, checking each by the
 * SHA-256 it is named by. Originals are immutable, so this may run after the database was read:
 * a file that is gone (the photo was deleted meanwhile) or damaged is listed in `missingMedia`,
 * never copied. Renditions are a cache and are not copied.
 */
export async function copyPhotoOriginals(
  photos: PhotoFile[],
  mediaDir: string,
  dir: string,
  onFile?: (done: number, total: number) => void,
): Promise<{ media: BackupFile[]; missingMedia: string[] }> {
  const source = createMediaStorage(mediaDir);
  const target = createMediaStorage(join(dir, 'media'));
  const media: BackupFile[] = [];
  const missingMedia: string[] = [];
  for (const [i, photo] of photos.entries()) {
    const from = source.originalPath(photo.sha256, photo.format);
    const to = target.originalPath(photo.sha256, photo.format);
    try {
      const copied = await copyHashed(from, to);
      if (copied.sha256 === photo.sha256) media.push({ path: relative(dir, to).split(sep).join('/'), ...copied });
      else {
        await rm(to, { force: true });
        missingMedia.push(relative(mediaDir, from));
      }
    } catch (err) {
      if (!isMissingFile(err)) throw err;
      missingMedia.push(relative(mediaDir, from));
    }
    onFile?.(i + 1, photos.length);
  }
  return { media, missingMedia };
}

/** A media path as manifests list it: media/originals/ab/<sha256>.<ext>, nothing else. */
export const MEDIA_PATH = /^media\/originals\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]+$/;

/** Where a manifest's media file goes under MEDIA_DIR. */
export const mediaTarget = (mediaDir: string, path: string) => join(mediaDir, path.slice('media/'.length));
