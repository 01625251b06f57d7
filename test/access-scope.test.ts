import fc from 'fast-check';
import t from 'tap';
import type { Identity } from '../src/access/identity.js';
import { ACCESS_LEVELS, decideAccess, fullTextScope, scopeGrants, type AccessFacts } from '../src/access/policy.js';

/**
 * The grant scope (what search and the photo read path ask in SQL: which articles may this caller
 * read in full?) must say what the one policy says, article by article, for every kind of caller.
 */
const SECTIONS = ['world', 'business', 'sport'];
const NOW = new Date('2026-06-01T12:00:00Z');

const section = fc.constantFrom(...SECTIONS);
const sections = fc.option(fc.uniqueArray(section, { maxLength: 3 }), { nil: null });
const identity: fc.Arbitrary<Identity> = fc.oneof(
  fc.constant<Identity>({ kind: 'anonymous' }),
  fc.record({
    kind: fc.constant('apiKey' as const),
    keyId: fc.constant('k1'),
    name: fc.constant('partner'),
    scopes: fc.constantFrom<string[]>(['syndication'], ['admin'], ['syndication', 'admin'], []),
    licence: fc.option(fc.record({ sections, fullText: fc.boolean(), usageTerms: fc.constant(null) }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('subscriber' as const),
    subscriberId: fc.constant(1),
    sessionId: fc.constant('s'),
    email: fc.constant('r@example.com'),
    planSlug: fc.constant(null),
    entitlements: fc.record({
      levels: fc.subarray(['registered', 'subscribers'] as ('registered' | 'subscribers')[]),
      archive: fc.boolean(),
      sections,
      meter: fc.option(
        fc.record({ remaining: fc.integer({ min: 0, max: 3 }), readThisPeriod: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }).map((a) => new Set(a)) }),
        { nil: null },
      ),
    }),
  }),
);
const facts: fc.Arbitrary<AccessFacts> = fc.record({
  id: fc.integer({ min: 1, max: 6 }),
  level: fc.constantFrom(...ACCESS_LEVELS),
  publishedAt: fc.option(fc.integer({ min: 0, max: 200 }).map((days) => new Date(NOW.getTime() - days * 86_400_000 + 1).toISOString()), { nil: null }),
  sectionSlug: fc.option(section, { nil: null }),
});

t.test('fullTextScope covers exactly the articles decideAccess grants (without spending the meter)', async (t) => {
  for (const archiveAfterDays of [0, 60]) {
    fc.assert(
      fc.property(identity, facts, (who, article) => {
        const settings = { archiveAfterDays };
        const decided = decideAccess(who, article, NOW, settings, { spendMeter: false }).granted;
        return scopeGrants(fullTextScope(who), article, NOW, settings) === decided;
      }),
      { numRuns: 5000 },
    );
  }
  t.pass('5,000 random callers and articles agree, with and without the archive rule');
});
