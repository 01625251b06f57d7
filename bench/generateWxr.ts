import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a WordPress export (WXR 1.2) of `count` generated wire stories in block-editor markup:
 * five paragraphs, a heading, a quote with citation, a list, every tenth gated with Jetpack's
 * paywall block, spread over four categories and three authors. For the import benchmark and the
 * resumability test.
 */
export async function writeWxr(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const categories = ['world', 'business', 'science', 'climate'];
  const authors = ['aoster', 'bvale', 'cmoreau'];
  await write(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Generated Wire</title><link>https://wire.example.net</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://wire.example.net</wp:base_site_url>
${authors.map((a, i) => `<wp:author><wp:author_id>${i + 1}</wp:author_id><wp:author_login><![CDATA[${a}]]></wp:author_login><wp:author_display_name><![CDATA[Reporter ${a.toUpperCase()}]]></wp:author_display_name></wp:author>`).join('\n')}
`);
  for (let i = 1; i <= count; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000);
    const date = day.toISOString().slice(0, 19).replace('T', ' ');
    const slug = `wire-story-${i}`;
    const cat = categories[i % categories.length];
    const p = (n: number) => `<!-- wp:paragraph -->\n<p>Story ${i}, paragraph ${n}: officials in the port city said on Tuesday that the <a href="https://agency.example.org/${i}/${n}">inquiry</a> would report within weeks, the news agency quoted the ministry as saying.</p>\n<!-- /wp:paragraph -->\n\n`;
    await write(`<item><title><![CDATA[Wire story number ${i} about the harbour inquiry]]></title>
<link>https://wire.example.net/${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}/</link><dc:creator><![CDATA[${authors[i % authors.length]}]]></dc:creator>
<content:encoded><![CDATA[${p(1)}${p(2)}${i % 10 === 0 ? '<!-- wp:jetpack/paywall /-->\n\n' : ''}<!-- wp:heading -->\n<h2 class="wp-block-heading">What happens next</h2>\n<!-- /wp:heading -->\n\n${p(3)}<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>We will publish everything we find, story ${i}.</p>\n<!-- /wp:paragraph --><cite>Ministry statement</cite></blockquote>\n<!-- /wp:quote -->\n\n<!-- wp:list -->\n<ul class="wp-block-list"><!-- wp:list-item -->\n<li>First point of story ${i}</li>\n<!-- /wp:list-item --><!-- wp:list-item -->\n<li>Second point</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->\n\n${p(4)}${p(5)}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>${1000 + i}</wp:post_id><wp:post_date><![CDATA[${date}]]></wp:post_date><wp:post_date_gmt><![CDATA[${date}]]></wp:post_date_gmt>
<wp:post_name><![CDATA[${slug}]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="${cat}"><![CDATA[${cat[0].toUpperCase()}${cat.slice(1)}]]></category><category domain="post_tag" nicename="inquiry"><![CDATA[Inquiry]]></category>
${i % 10 === 0 ? '<wp:postmeta><wp:meta_key><![CDATA[_jetpack_newsletter_access]]></wp:meta_key><wp:meta_value><![CDATA[paid_subscribers]]></wp:meta_value></wp:postmeta>' : ''}
</item>
`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
}
