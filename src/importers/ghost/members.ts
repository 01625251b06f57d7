import { parse } from 'csv-parse/sync';
import { readFileSync, statSync } from 'node:fs';
import { ImportFileError } from '../wordpress/wxr.js';
import { ghostDate, type Row } from './exportFile.js';

/**
 * Ghost members, from the members CSV (Members → Export) or from an export that includes the
 * member tables (`members`, `members_newsletters`, `members_products`). What is read: email, name,
 * when they joined, whether they get email (and which newsletters, when the export says), their
 * tier and whether it is complimentary or paid, and its expiry. What is never read: passwords
 * (Ghost has none for members), Stripe customer and subscription ids, payment details, notes,
 * labels, geolocation.
 */
export interface GhostMember {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
  /** False when the member turned off all email (or it bounced): no newsletter is kept. */
  subscribed: boolean;
  /** Ghost newsletter ids the member gets, when known (the CSV does not say). */
  newsletterIds: string[] | null;
  /** Tier names (CSV) or ids (export). */
  tiers: string[];
  status: 'free' | 'comped' | 'paid';
  /** When a complimentary tier ends (null: never). */
  expiresAt: string | null;
  deleted: boolean;
}

const MAX_CSV_BYTES = 256 * 1024 * 1024;
const truthy = (v: unknown) => v === true || v === 1 || v === '1' || String(v).toLowerCase() === 'true';

export function readMembersCsv(file: string): GhostMember[] {
  if (statSync(file).size > MAX_CSV_BYTES) throw new ImportFileError('the members CSV is larger than 256 MB');
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  } catch (err) {
    throw new ImportFileError(`the members file is not CSV: ${(err as Error).message.slice(0, 200)}`);
  }
  if (rows.length > 0 && !('email' in rows[0])) throw new ImportFileError('the members CSV has no "email" column: not a Ghost members export');
  return rows.map((r) => ({
    id: r.id || r.email,
    email: r.email,
    name: r.name || null,
    createdAt: ghostDate(r.created_at) ?? new Date(0).toISOString(),
    subscribed: truthy(r.subscribed_to_emails),
    newsletterIds: null,
    tiers: (r.tiers ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    status: truthy(r.complimentary_plan) ? 'comped' : r.stripe_customer_id ? 'paid' : 'free',
    expiresAt: null,
    deleted: !!r.deleted_at,
  }));
}

export function membersFromExport(data: Record<string, Row[]>): GhostMember[] | null {
  const members = data.members;
  if (!members || members.length === 0) return null;
  const letters = new Map<string, string[]>();
  for (const r of data.members_newsletters ?? []) letters.set(String(r.member_id), [...(letters.get(String(r.member_id)) ?? []), String(r.newsletter_id)]);
  const products = new Map<string, Row[]>();
  for (const r of data.members_products ?? []) products.set(String(r.member_id), [...(products.get(String(r.member_id)) ?? []), r]);
  return members.map((m) => {
    const own = products.get(String(m.id)) ?? [];
    const status = m.status === 'comped' || m.status === 'paid' ? m.status : 'free';
    return {
      id: String(m.id),
      email: String(m.email ?? ''),
      name: m.name ? String(m.name) : null,
      createdAt: ghostDate(m.created_at) ?? new Date(0).toISOString(),
      subscribed: !truthy(m.email_disabled) && (letters.get(String(m.id))?.length ?? 0) > 0,
      newsletterIds: letters.get(String(m.id)) ?? [],
      tiers: own.map((p) => String(p.product_id)),
      status,
      expiresAt: own.map((p) => ghostDate(p.expiry_at)).find((d) => d !== null) ?? null,
      deleted: false,
    };
  });
}
