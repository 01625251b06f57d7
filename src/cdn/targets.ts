/**
 * Purge targets (CDN_PURGE_URLS, comma-separated), one adapter per kind:
 * - `http(s)://host[:port]/` — Varnish with the xkey vmod (deploy/varnish/newsdesk.vcl): an HTTP
 *   PURGE with the keys, space-separated, in `xkey` (hard) or `xkey-softpurge` (soft);
 * - `fastly:<service id>` — POST {FASTLY_API_URL}/service/<id>/purge with `Surrogate-Key` and
 *   `Fastly-Key: FASTLY_API_TOKEN` (soft: `Fastly-Soft-Purge: 1`), at most 256 keys a request;
 * - `cloudflare:<zone id>` — POST {CLOUDFLARE_API_URL}/zones/<id>/purge_cache {"tags": [...]}
 *   with `Authorization: Bearer CLOUDFLARE_API_TOKEN`, at most 30 tags a request (Cloudflare has
 *   no soft purge by tag: every purge is hard there).
 */
export interface PurgeRequestSpec {
  method: 'PURGE' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TargetSettings {
  fastlyApiUrl: string;
  fastlyApiToken?: string;
  cloudflareApiUrl: string;
  cloudflareApiToken?: string;
}

export type PurgeTarget = { kind: 'varnish' | 'fastly' | 'cloudflare'; name: string; requests(keys: string[], hard: boolean): PurgeRequestSpec[] };

const chunks = <T>(list: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** The target a CDN_PURGE_URLS entry names; throws with a message naming the entry. */
export function parseTarget(entry: string, settings: TargetSettings): PurgeTarget {
  const m = /^(fastly|cloudflare):([A-Za-z0-9_-]+)$/.exec(entry);
  if (m) {
    const [, kind, id] = m;
    if (kind === 'fastly') {
      if (!settings.fastlyApiToken) throw new Error(`${entry}: set FASTLY_API_TOKEN`);
      const token = settings.fastlyApiToken;
      return {
        kind: 'fastly',
        name: entry,
        requests: (keys, hard) =>
          chunks(keys, 256).map((part) => ({
            method: 'POST',
            url: `${settings.fastlyApiUrl.replace(/\/+$/, '')}/service/${encodeURIComponent(id)}/purge`,
            headers: { 'fastly-key': token, 'surrogate-key': part.join(' '), accept: 'application/json', ...(hard ? {} : { 'fastly-soft-purge': '1' }) },
          })),
      };
    }
    if (!settings.cloudflareApiToken) throw new Error(`${entry}: set CLOUDFLARE_API_TOKEN`);
    const token = settings.cloudflareApiToken;
    return {
      kind: 'cloudflare',
      name: entry,
      requests: (keys) =>
        chunks(keys, 30).map((part) => ({
          method: 'POST',
          url: `${settings.cloudflareApiUrl.replace(/\/+$/, '')}/zones/${encodeURIComponent(id)}/purge_cache`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ tags: part }),
        })),
    };
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(`${entry}: not a URL (http://varnish:6081/), fastly:<service id> or cloudflare:<zone id>`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${entry}: Varnish targets are http(s) URLs`);
  return {
    kind: 'varnish',
    name: entry,
    requests: (keys, hard) => [{ method: 'PURGE', url: url.toString(), headers: { [hard ? 'xkey' : 'xkey-softpurge']: keys.join(' ') } }],
  };
}
