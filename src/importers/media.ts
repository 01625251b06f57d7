import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * Finds a picture named by a source (an uploads URL, a Ghost `__GHOST_URL__/content/images/…`
 * path) in the media folder given with `--media`. The importers never fetch URLs: only files
 * under that folder are read, and a name that climbs out of it (`../`) is never followed.
 */
export function createMediaFinder(mediaDir: string | null) {
  const root = mediaDir ? resolve(mediaDir) : null;

  /** The file for a relative path under the folder, or null. */
  function file(rel: string): string | null {
    if (!root) return null;
    let decoded = rel;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      /* keep it as written */
    }
    const path = resolve(root, decoded.replace(/^[/\\]+/, ''));
    if (path !== root && !path.startsWith(root + sep)) return null;
    try {
      return existsSync(path) && statSync(path).isFile() ? path : null;
    } catch {
      return null;
    }
  }

  return {
    enabled: root !== null,
    root,
    /**
     * The first existing file among the candidates (relative paths), trying each also without
     * WordPress's size suffix (`photo-300x200.jpg` → `photo.jpg`) and `-scaled`.
     */
    find(candidates: string[]): string | null {
      for (const c of candidates) {
        const variants = [c, c.replace(/-\d+x\d+(\.[A-Za-z0-9]+)$/, '$1'), c.replace(/-scaled(\.[A-Za-z0-9]+)$/, '$1')];
        for (const v of variants) {
          const hit = file(v);
          if (hit) return hit;
        }
      }
      return null;
    },
  };
}

export type MediaFinder = ReturnType<typeof createMediaFinder>;

/** The path of a URL (or of a path), without query or fragment; '' when it has none. */
export function urlPath(src: string): string {
  try {
    return new URL(src, 'http://placeholder.invalid').pathname;
  } catch {
    return '';
  }
}
