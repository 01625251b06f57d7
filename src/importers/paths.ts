/**
 * Old permalink paths, as stored in import_redirects and looked up by the redirect route: the
 * path of a URL (scheme, host, query and fragment dropped), percent-decoded, lower-cased, with
 * one leading and no trailing slash. `/2024/03/11/Harbour-Floods/` and
 * `https://old.example.com/2024/03/11/harbour-floods` are the same path. The root is never one.
 */
export function normalisePath(pathOrUrl: string): string | null {
  let path: string;
  try {
    path = new URL(pathOrUrl, 'http://placeholder.invalid').pathname;
  } catch {
    return null;
  }
  try {
    path = decodeURIComponent(path);
  } catch {
    /* keep it encoded */
  }
  path = `/${path.toLowerCase().replace(/^\/+|\/+$/g, '')}`;
  if (path === '/' || path.length > 1000 || /[\x00-\x1f\x7f]/.test(path)) return null;
  return path;
}
