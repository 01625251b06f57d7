import { domainToASCII } from 'node:url';
import { z } from 'zod';

const emailFormat = z.email();

/**
 * Normalises an email address the way it is stored and compared: trimmed, Unicode NFC,
 * lower-cased, an internationalised domain in its ASCII (punycode) form. Returns null when the
 * result is not a deliverable-looking address (RFC 5321 caps an address at 254 characters).
 */
export function normaliseEmail(input: string): string | null {
  if (input.length > 4096) return null; // not an address however much whitespace pads it: skip the work
  const trimmed = input.normalize('NFC').trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1));
  if (!domain) return null;
  const email = `${local}@${domain}`;
  if (email.length > 254 || local.length > 64) return null;
  return emailFormat.safeParse(email).success ? email : null;
}
