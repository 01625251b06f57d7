import { escapeXmlAttr } from '../lib/xml.js';

/**
 * Builds a small XMP packet (Dublin Core, Photoshop and XMP Rights properties) of the kind agency
 * pictures carry. sharp writes it into an image with `.withXmp(packet)`. Used by the sample-content
 * seed and by tests; the API itself only reads XMP.
 */
export interface XmpFields {
  headline?: string;
  /** Iptc4xmpCore:AltTextAccessibility */
  altText?: string;
  caption?: string;
  credit?: string;
  creator?: string;
  copyright?: string;
  source?: string;
  usageTerms?: string;
  keywords?: string[];
  dateCreated?: Date;
}

/** Escaped for XML, and without the characters XML 1.0 forbids (a stray control character in a caption made the packet malformed). */
const esc = escapeXmlAttr;

const alt = (tag: string, value: string | undefined) =>
  value === undefined ? '' : `<${tag}><rdf:Alt><rdf:li xml:lang="x-default">${esc(value)}</rdf:li></rdf:Alt></${tag}>`;
const simple = (tag: string, value: string | undefined) => (value === undefined ? '' : `<${tag}>${esc(value)}</${tag}>`);

export function buildXmp(fields: XmpFields): string {
  const keywords = fields.keywords?.length
    ? `<dc:subject><rdf:Bag>${fields.keywords.map((k) => `<rdf:li>${esc(k)}</rdf:li>`).join('')}</rdf:Bag></dc:subject>`
    : '';
  const creator = fields.creator !== undefined ? `<dc:creator><rdf:Seq><rdf:li>${esc(fields.creator)}</rdf:li></rdf:Seq></dc:creator>` : '';
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" ' +
    'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">' +
    alt('dc:description', fields.caption) +
    alt('dc:title', fields.headline) +
    creator +
    alt('dc:rights', fields.copyright) +
    keywords +
    simple('photoshop:Headline', fields.headline) +
    simple('photoshop:Credit', fields.credit) +
    simple('photoshop:Source', fields.source) +
    simple('photoshop:DateCreated', fields.dateCreated?.toISOString().replace(/\.\d{3}Z$/, 'Z')) +
    alt('xmpRights:UsageTerms', fields.usageTerms) +
    alt('Iptc4xmpCore:AltTextAccessibility', fields.altText) +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}
