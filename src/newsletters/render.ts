import juice from 'juice';
import type { ArticleView } from '../access/articleView.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';

/** Where each reader's own unsubscribe link goes in a rendition (filled in at delivery). */
export const UNSUBSCRIBE_PLACEHOLDER = '%%NEWSDESK_UNSUBSCRIBE_URL%%';

/** What a story mail shows, besides the reader's view of the body. All of it is metadata every reader may see. */
export interface StoryFacts {
  headline: string;
  standfirst: string | null;
  url: string;
  /** Byline, dateline: metadata. */
  byline: string | null;
}

export interface MailSettings {
  publication: string;
  newsletterName: string;
  subscribeUrl: string;
}

export interface RenderedMail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Mail clients do not all read WebP or AVIF: photos keep only their JPEG renditions. */
export function jpegOnly(photos: ReadonlyMap<number, EmbeddedPhoto>): Map<number, EmbeddedPhoto> {
  const out = new Map<number, EmbeddedPhoto>();
  for (const [id, p] of photos) {
    const jpeg = p.renditions.filter((r) => r.format === 'jpeg');
    if (jpeg.length > 0) out.set(id, { ...p, renditions: jpeg });
    else out.set(id, { ...p, renditions: [] });
  }
  return out;
}

const STYLE = `
body { margin: 0; padding: 0; background: #f4f4f1; }
.wrap { width: 100%; background: #f4f4f1; }
.card { max-width: 640px; background: #ffffff; }
.masthead { font-family: Georgia, serif; font-size: 14px; color: #555555; padding: 16px 24px; border-bottom: 1px solid #e5e5e0; }
h1 { font-family: Georgia, serif; font-size: 28px; line-height: 1.2; color: #111111; margin: 0 0 12px 0; }
.standfirst { font-family: Georgia, serif; font-size: 18px; color: #333333; margin: 0 0 12px 0; }
.byline { font-family: Arial, sans-serif; font-size: 13px; color: #666666; margin: 0 0 16px 0; }
.body p, .body li { font-family: Georgia, serif; font-size: 17px; line-height: 1.55; color: #222222; }
.body h2, .body h3 { font-family: Georgia, serif; color: #111111; }
.body blockquote { border-left: 3px solid #c0392b; margin: 16px 0; padding: 0 0 0 12px; color: #333333; }
.body img { max-width: 100%; height: auto; display: block; }
.body figcaption { font-family: Arial, sans-serif; font-size: 13px; color: #666666; }
.paywall { background: #fbf6e9; border: 1px solid #e8d9a8; padding: 20px; }
.paywall h2 { font-family: Georgia, serif; font-size: 20px; margin: 0 0 8px 0; color: #111111; }
.paywall p { font-family: Arial, sans-serif; font-size: 15px; color: #333333; }
.button { display: inline-block; background: #c0392b; color: #ffffff; font-family: Arial, sans-serif; font-size: 15px; padding: 10px 18px; text-decoration: none; }
.footer { font-family: Arial, sans-serif; font-size: 12px; color: #777777; padding: 16px 24px; }
.footer a { color: #777777; }
.preheader { display: none; max-height: 0; overflow: hidden; mso-hide: all; font-size: 1px; color: #ffffff; }
`;

/**
 * The mail of one story for one audience, from the reader's view that audience gets (the one
 * access policy decided it): the view's blocks, html and text are all that is shown of the body,
 * and the subject and preheader come from metadata (headline; standfirst, else the view's
 * excerpt, which for a reader without access is the teaser's). A view without access adds the
 * paywall's call to action, from the same builder as every other surface. Styles are inlined
 * (juice) and the layout is a table, for mail clients.
 */
export function renderStoryMail(story: StoryFacts, view: ArticleView, photos: ReadonlyMap<number, EmbeddedPhoto>, settings: MailSettings): RenderedMail {
  const jpeg = jpegOnly(photos);
  const subject = story.headline;
  const preheader = (story.standfirst ?? view.excerpt ?? '').slice(0, 200);
  const body = view.html(jpeg);
  const paywall = view.paywall;
  const paywallHtml = paywall
    ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td class="paywall">
<h2>${escapeHtml(paywall.title)}</h2>
<p>${escapeHtml(paywall.message)}</p>
<p><a class="button" href="${escapeHtml(settings.subscribeUrl)}">${escapeHtml(paywall.callToAction)}</a></p>
<p><a href="${escapeHtml(story.url)}">Continue reading</a></p>
</td></tr></table>`
    : `<p><a href="${escapeHtml(story.url)}">Read it online</a></p>`;
  const html = juice(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title><style>${STYLE}</style></head>
<body>
<div class="preheader">${escapeHtml(preheader)}</div>
<table role="presentation" class="wrap" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" class="card" width="640" cellpadding="0" cellspacing="0">
<tr><td class="masthead">${escapeHtml(settings.publication)} · ${escapeHtml(settings.newsletterName)}</td></tr>
<tr><td style="padding: 24px;">
<h1>${escapeHtml(story.headline)}</h1>
${story.standfirst ? `<p class="standfirst">${escapeHtml(story.standfirst)}</p>` : ''}
${story.byline ? `<p class="byline">${escapeHtml(story.byline)}</p>` : ''}
<div class="body">${body}</div>
${paywallHtml}
</td></tr>
<tr><td class="footer">You get ${escapeHtml(settings.newsletterName)} from ${escapeHtml(settings.publication)} because you subscribed to it. <a href="${UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a></td></tr>
</table>
</td></tr></table>
</body></html>`);

  const lines = [
    story.headline,
    ...(story.standfirst ? ['', story.standfirst] : []),
    ...(story.byline ? ['', story.byline] : []),
    '',
    view.text(jpeg),
    '',
    ...(paywall
      ? [`${paywall.title}`, paywall.message, `${paywall.callToAction}: ${settings.subscribeUrl}`, `Continue reading: ${story.url}`]
      : [`Read it online: ${story.url}`]),
    '',
    '--',
    `You get ${settings.newsletterName} from ${settings.publication} because you subscribed to it.`,
    `Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`,
  ];
  return { subject, preheader, html, text: lines.join('\n') };
}

/** A rendition with the reader's own unsubscribe link in it. */
export function personalise(mail: { html: string; text: string }, unsubscribeUrl: string): { html: string; text: string } {
  const attr = escapeHtml(unsubscribeUrl);
  return { html: mail.html.split(UNSUBSCRIBE_PLACEHOLDER).join(attr), text: mail.text.split(UNSUBSCRIBE_PLACEHOLDER).join(unsubscribeUrl) };
}
