import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * Streams a WordPress eXtended RSS export (WXR 1.0–1.2, Tools → Export) with saxes, one `<item>`
 * (post, page, attachment…) at a time, so a file of any size is read in bounded memory. Refused
 * with a clear message (ImportFileError), never a crash:
 *
 * - anything that is not well-formed XML, or whose root is not `<rss>` with a `wp:wxr_version`;
 * - a WXR version other than 1.0, 1.1 or 1.2;
 * - a DOCTYPE (WordPress never writes one; entity declarations are how a "billion laughs" file
 *   expands without bound, and saxes does not expand them: an entity it does not know is an error);
 * - elements nested deeper than MAX_DEPTH; an item holding more than MAX_ITEM_CHARS of text is
 *   passed on marked `oversized` (the importer reports and skips it).
 */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export const SUPPORTED_WXR = ['1.0', '1.1', '1.2'];
const MAX_DEPTH = 32;
const MAX_ITEM_CHARS = 16 * 1024 * 1024;
const MAX_CHANNEL_CHARS = 1024 * 1024;

export interface WxrTerm {
  domain: string;
  nicename: string;
  name: string;
}

export interface WxrItem {
  title: string;
  link: string;
  creator: string;
  guid: string;
  content: string;
  excerpt: string;
  postId: string;
  postDate: string;
  postDateGmt: string;
  postName: string;
  status: string;
  postType: string;
  postParent: string;
  attachmentUrl: string;
  terms: WxrTerm[];
  meta: Map<string, string>;
  oversized: boolean;
}

export interface WxrAuthor {
  id: string;
  login: string;
  displayName: string;
}

export interface WxrCategory {
  nicename: string;
  name: string;
  parent: string;
  description: string;
}

export interface WxrHandlers {
  channel?(info: { version: string; siteUrl: string; title: string }): void;
  author?(a: WxrAuthor): void;
  category?(c: WxrCategory & { taxonomy: 'category' | 'post_tag' }): void;
  item?(item: WxrItem): Promise<void> | void;
}

interface Node {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Node[];
  /** Set on a captured item whose text went past MAX_ITEM_CHARS (the rest was not kept). */
  oversized?: boolean;
}

const child = (n: Node, name: string) => n.children.find((c) => c.name === name)?.text.trim() ?? '';

function toItem(n: Node, oversized: boolean): WxrItem {
  const meta = new Map<string, string>();
  for (const m of n.children.filter((c) => c.name === 'wp:postmeta')) {
    const key = child(m, 'wp:meta_key');
    if (key) meta.set(key, child(m, 'wp:meta_value'));
  }
  return {
    title: child(n, 'title'),
    link: child(n, 'link'),
    creator: child(n, 'dc:creator'),
    guid: child(n, 'guid'),
    content: n.children.find((c) => c.name === 'content:encoded')?.text ?? '',
    excerpt: n.children.find((c) => c.name === 'excerpt:encoded')?.text ?? '',
    postId: child(n, 'wp:post_id'),
    postDate: child(n, 'wp:post_date'),
    postDateGmt: child(n, 'wp:post_date_gmt'),
    postName: child(n, 'wp:post_name'),
    status: child(n, 'wp:status'),
    postType: child(n, 'wp:post_type'),
    postParent: child(n, 'wp:post_parent'),
    attachmentUrl: child(n, 'wp:attachment_url'),
    terms: n.children
      .filter((c) => c.name === 'category')
      .map((c) => ({ domain: c.attrs.domain ?? '', nicename: c.attrs.nicename ?? '', name: c.text.trim() })),
    meta,
    oversized,
  };
}

/** Reads the file through, calling the handlers in document order; item handlers are awaited (backpressure). */
export async function readWxr(file: string, handlers: WxrHandlers): Promise<{ version: string; siteUrl: string; items: number }> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: Node[] = [];
  let capture: Node | null = null; // the item, author or category being gathered
  let captureChars = 0;
  let depth = 0;
  let rootSeen = false;
  let version = '';
  let siteUrl = '';
  let title = '';
  let channelChars = 0;
  let items = 0;
  const pending: Node[] = [];
  let failure: Error | null = null;

  const fail = (message: string) => {
    failure ??= new ImportFileError(message);
  };

  parser.on('doctype', () => fail('the file declares a DOCTYPE: WordPress exports never do, and its entities could expand without bound ("billion laughs"); refused'));
  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth++;
    if (depth > MAX_DEPTH) fail(`elements are nested more than ${MAX_DEPTH} deep: not a WordPress export`);
    if (!rootSeen) {
      rootSeen = true;
      if (tag.name !== 'rss') fail(`the root element is <${tag.name}>, not <rss>: not a WordPress export (WXR)`);
    }
    const node: Node = { name: tag.name, attrs: tag.attributes as Record<string, string>, text: '', children: [] };
    if (!capture && (tag.name === 'item' || tag.name === 'wp:author' || tag.name === 'wp:category' || tag.name === 'wp:tag')) {
      if (!version) {
        fail('no wp:wxr_version before the first entry: not a WordPress export (WXR), or a damaged one');
      }
      capture = node;
      captureChars = 0;
      stack.length = 0;
      stack.push(node);
      return;
    }
    if (capture) {
      stack[stack.length - 1].children.push(node);
      stack.push(node);
    } else {
      stack.push(node);
    }
  });
  const onText = (text: string) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    if (capture) {
      captureChars += text.length;
      if (captureChars > MAX_ITEM_CHARS) {
        capture.oversized = true;
        return;
      }
      top.text += text;
    } else {
      channelChars += text.length;
      if (channelChars > MAX_CHANNEL_CHARS) return fail('the channel header holds more than 1 MB of text: not a WordPress export');
      top.text += text;
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    depth--;
    const node = stack.pop();
    if (!node) return;
    if (capture && node === capture) {
      pending.push(node);
      capture = null;
      return;
    }
    if (capture) return;
    if (tag.name === 'wp:wxr_version') {
      version = node.text.trim();
      if (!SUPPORTED_WXR.includes(version)) fail(`WXR version ${version || '(empty)'} is not supported (supported: ${SUPPORTED_WXR.join(', ')})`);
    } else if (tag.name === 'wp:base_site_url' || (tag.name === 'link' && !siteUrl && stack.length === 2)) {
      siteUrl = node.text.trim() || siteUrl;
    } else if (tag.name === 'title' && stack.length === 2 && !title) {
      title = node.text.trim();
    }
  });

  const drain = async () => {
    while (pending.length > 0 && !failure) {
      const node = pending.shift()!;
      if (node.name === 'item') {
        items++;
        if (items === 1) handlers.channel?.({ version, siteUrl, title });
        await handlers.item?.(toItem(node, node.oversized === true));
      } else if (node.name === 'wp:author') {
        handlers.author?.({ id: child(node, 'wp:author_id'), login: child(node, 'wp:author_login'), displayName: child(node, 'wp:author_display_name') });
      } else {
        const taxonomy = node.name === 'wp:tag' ? 'post_tag' : 'category';
        handlers.category?.({
          taxonomy,
          nicename: child(node, taxonomy === 'post_tag' ? 'wp:tag_slug' : 'wp:category_nicename'),
          name: child(node, taxonomy === 'post_tag' ? 'wp:tag_name' : 'wp:cat_name'),
          parent: child(node, 'wp:category_parent'),
          description: child(node, taxonomy === 'post_tag' ? 'wp:tag_description' : 'wp:category_description'),
        });
      }
    }
  };

  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) {
      try {
        parser.write(chunk as string);
      } catch (err) {
        fail(`the file is not well-formed XML: ${(err as Error).message}`);
      }
      if (failure) break;
      await drain();
      if (failure) break;
    }
    if (!failure) {
      try {
        parser.close();
      } catch (err) {
        fail(rootSeen ? `the file is not well-formed XML: ${(err as Error).message}` : 'the file is empty or not XML');
      }
    }
    if (!failure) await drain();
  } finally {
    stream.destroy();
  }
  if (failure) throw failure;
  if (!rootSeen) throw new ImportFileError('the file is empty or not XML');
  if (!version) throw new ImportFileError('no wp:wxr_version: not a WordPress export (WXR)');
  if (items === 0) handlers.channel?.({ version, siteUrl, title });
  return { version, siteUrl, items };
}
