/**
 * Writing XML that every strict reader accepts, whatever the text holds (headlines, captions,
 * credits and names come from editors and from agency metadata).
 *
 * - Characters XML 1.0 forbids anywhere (§2.2 Char: C0 controls other than tab, LF and CR; lone
 *   surrogates; U+FFFE and U+FFFF) cannot be escaped, not even as `&#1;`: they are dropped.
 * - Text is entity-escaped (`&`, `<` and `>`, so `]]>` can never appear in character data); no
 *   CDATA sections, so there is no `]]>` to split.
 * - Attribute values also escape `"`, and tab, LF and CR as character references (a parser would
 *   otherwise normalise them to spaces).
 *
 * `el()` builds a small tree; `xmlDocument()` serialises it, indenting element-only content and
 * never touching text.
 */
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without the characters XML 1.0 forbids. */
export const xmlChars = (s: string): string => s.replace(XML_ILLEGAL, '');

export const escapeXmlText = (s: string): string => xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeXmlAttr = (s: string): string =>
  escapeXmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: (XmlElement | string)[];
}

export type XmlAttrs = Record<string, string | number | null | undefined>;
export type XmlChild = XmlElement | string | number | null | undefined | false | XmlChild[];

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

/** An element. Attributes that are null or undefined are left out; so are null, undefined and false children. */
export function el(name: string, attrs: XmlAttrs | null = null, ...children: XmlChild[]): XmlElement {
  if (!NAME.test(name)) throw new Error(`not an XML name: ${name}`);
  const list: [string, string][] = [];
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined) continue;
    if (!NAME.test(k)) throw new Error(`not an XML attribute name: ${k}`);
    list.push([k, String(v)]);
  }
  const flat: (XmlElement | string)[] = [];
  const add = (c: XmlChild) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else flat.push(typeof c === 'number' ? String(c) : c);
  };
  children.forEach(add);
  return { name, attrs: list, children: flat };
}

function serialise(e: XmlElement, depth: number): string {
  const open = `<${e.name}${e.attrs.map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`).join('')}`;
  if (e.children.length === 0) return `${open}/>`;
  if (e.children.every((c) => typeof c !== 'string')) {
    const pad = '  '.repeat(depth + 1);
    const inner = (e.children as XmlElement[]).map((c) => `${pad}${serialise(c, depth + 1)}`).join('\n');
    return `${open}>\n${inner}\n${'  '.repeat(depth)}</${e.name}>`;
  }
  const inner = e.children.map((c) => (typeof c === 'string' ? escapeXmlText(c) : serialise(c, depth))).join('');
  return `${open}>${inner}</${e.name}>`;
}

/** A whole document: the XML declaration (UTF-8) and the root element. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialise(root, 0)}\n`;
}
