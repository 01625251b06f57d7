/** The mails subscribers receive. Plain text first (it carries the link and the token), HTML alike. */
export interface MailContent {
  kind: 'confirm' | 'sign_in' | 'already_subscribed';
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  publication: string;
  /** Where the frontend's account pages live (ACCOUNT_URL). */
  accountUrl: string;
  /** The API's public URL, for the curl hint. */
  apiUrl: string;
  ttlMinutes: number;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function render(
  kind: MailContent['kind'],
  subject: string,
  intro: string,
  action: string,
  link: string,
  token: string,
  endpoint: string,
  ctx: MailContext,
): MailContent {
  const curl = `curl -X POST ${ctx.apiUrl}${endpoint} -H 'Content-Type: application/json' -d '{"token":"${token}"}'`;
  const text = [
    intro,
    '',
    `${action}:`,
    link,
    '',
    `The link works once and expires in ${ctx.ttlMinutes} minutes. If you did not ask for it, ignore this mail.`,
    '',
    `Using the API directly? ${curl}`,
    '',
    `— ${ctx.publication}`,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>`,
    `<p>The link works once and expires in ${ctx.ttlMinutes} minutes. If you did not ask for it, ignore this mail.</p>`,
    `<p style="color:#666">Using the API directly? <code>${escapeHtml(curl)}</code></p>`,
    `<p>— ${escapeHtml(ctx.publication)}</p>`,
  ].join('\n');
  return { kind, subject, text, html };
}

export function confirmationMail(token: string, ctx: MailContext): MailContent {
  return render(
    'confirm',
    `Confirm your subscription to ${ctx.publication}`,
    `Thanks for signing up to ${ctx.publication}. Confirm your email address to start reading.`,
    'Confirm your subscription',
    `${ctx.accountUrl}/confirm?token=${encodeURIComponent(token)}`,
    token,
    '/v1/subscribers/confirm',
    ctx,
  );
}

export function signInMail(token: string, ctx: MailContext): MailContent {
  return render(
    'sign_in',
    `Your sign-in link for ${ctx.publication}`,
    `Here is the link you asked for to sign in to ${ctx.publication}.`,
    'Sign in',
    `${ctx.accountUrl}/sign-in?token=${encodeURIComponent(token)}`,
    token,
    '/v1/auth/session',
    ctx,
  );
}

/** Someone signed up with an address that already subscribes: tell its owner, and let them in. */
export function alreadySubscribedMail(token: string, ctx: MailContext): MailContent {
  return render(
    'already_subscribed',
    `You already subscribe to ${ctx.publication}`,
    `Someone (probably you) tried to sign up to ${ctx.publication} with this address, which already subscribes. Nothing changed.`,
    'Sign in instead',
    `${ctx.accountUrl}/sign-in?token=${encodeURIComponent(token)}`,
    token,
    '/v1/auth/session',
    ctx,
  );
}
