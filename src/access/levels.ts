/**
 * The access levels an article can carry, in increasing order of who may read it: `public`
 * (anyone), `registered` (any confirmed subscriber, free plan included), `subscribers` (a paid
 * plan). Its own module so that both identities (what a plan opens) and the policy (what an
 * article needs) can name them without importing each other.
 */
export const ACCESS_LEVELS = ['public', 'registered', 'subscribers'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];
