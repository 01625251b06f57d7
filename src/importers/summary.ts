/**
 * What an import did (or, with --dry-run, would do): counts per kind and outcome, and warnings
 * grouped by what they are about (each with a count and the first few places it happened).
 */
export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
const OUTCOMES: Outcome[] = ['created', 'updated', 'unchanged', 'skipped', 'failed'];
const EXAMPLES = 5;

export interface SummaryJson {
  dryRun: boolean;
  counts: Record<string, Partial<Record<Outcome, number>>>;
  warnings: { code: string; count: number; examples: string[] }[];
  failures: { kind: string; item: string; reason: string }[];
}

export class Summary {
  readonly counts = new Map<string, Map<Outcome, number>>();
  readonly warnings = new Map<string, { count: number; examples: string[] }>();
  readonly failures: { kind: string; item: string; reason: string }[] = [];

  constructor(readonly dryRun: boolean) {}

  count(kind: string, outcome: Outcome): void {
    let m = this.counts.get(kind);
    if (!m) this.counts.set(kind, (m = new Map()));
    m.set(outcome, (m.get(outcome) ?? 0) + 1);
  }

  get(kind: string, outcome: Outcome): number {
    return this.counts.get(kind)?.get(outcome) ?? 0;
  }

  warn(code: string, detail: string): void {
    let w = this.warnings.get(code);
    if (!w) this.warnings.set(code, (w = { count: 0, examples: [] }));
    w.count++;
    if (w.examples.length < EXAMPLES && !w.examples.includes(detail)) w.examples.push(detail);
  }

  fail(kind: string, item: string, reason: string): void {
    this.count(kind, 'failed');
    this.failures.push({ kind, item, reason });
  }

  /** Whether anything was (or would be) written. */
  get wroteAnything(): boolean {
    for (const m of this.counts.values()) if ((m.get('created') ?? 0) + (m.get('updated') ?? 0) > 0) return true;
    return false;
  }

  toJSON(): SummaryJson {
    return {
      dryRun: this.dryRun,
      counts: Object.fromEntries([...this.counts].map(([k, m]) => [k, Object.fromEntries(m)])),
      warnings: [...this.warnings].map(([code, w]) => ({ code, ...w })),
      failures: this.failures.slice(0, 200),
    };
  }

  /** The closing report, as printed by the CLI. */
  format(): string {
    const lines: string[] = [];
    const verb = (o: Outcome) => (this.dryRun && (o === 'created' || o === 'updated') ? `would be ${o}` : o);
    lines.push(this.dryRun ? 'Dry run: nothing was written.' : 'Import finished.');
    for (const [kind, m] of this.counts) {
      const parts = OUTCOMES.filter((o) => (m.get(o) ?? 0) > 0).map((o) => `${m.get(o)} ${verb(o)}`);
      lines.push(`  ${kind.padEnd(12)} ${parts.join(', ')}`);
    }
    if (!this.dryRun && !this.wroteAnything && this.counts.size > 0) lines.push('  Nothing changed since the last import: every item is up to date.');
    if (this.warnings.size > 0) {
      lines.push('Warnings:');
      for (const [code, w] of this.warnings) {
        lines.push(`  ${code} (${w.count}×): ${w.examples.join('; ')}${w.count > w.examples.length ? '; …' : ''}`);
      }
    }
    if (this.failures.length > 0) {
      lines.push(this.dryRun ? 'Would not be imported:' : 'Not imported:');
      for (const f of this.failures.slice(0, 50)) lines.push(`  ${f.kind} ${f.item}: ${f.reason}`);
      if (this.failures.length > 50) lines.push(`  … and ${this.failures.length - 50} more`);
    }
    return lines.join('\n');
  }
}
