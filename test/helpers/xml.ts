import { SaxesParser } from 'saxes';

/**
 * Well-formedness errors of an XML document, from a strict XML 1.0 parser with namespaces
 * (saxes): unlike fast-xml-parser it rejects a raw `&` or `<` in an attribute, `]]>` in character
 * data, characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF) and undeclared prefixes.
 * An empty list means a strict reader accepts the document.
 */
export function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('error', (err) => errors.push(err.message));
  try {
    parser.write(xml).close();
  } catch (err) {
    errors.push(String(err));
  }
  return errors;
}

/** Characters XML 1.0 does not allow anywhere (§2.2 Char): what must never reach a feed or sitemap. */
export const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
