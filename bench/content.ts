/**
 * Deterministic wire-style stories for the benchmark (invented events, names and agencies): a
 * headline, a standfirst, 15–20 short paragraphs attributing facts to agencies and officials, one
 * pulled quote, a paywall break after the third paragraph of gated stories, and a photo at the end.
 */
import type { Block } from '../src/content/blocks.js';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLACES = ['Velmora', 'Ostrava Bay', 'Karsk', 'Lindmarsh', 'Port Halden', 'Severin', 'Tarnow Heights', 'Brevik', 'Dalmund', 'Issara', 'Korvel', 'Mireth', 'Nolsk', 'Qarun', 'Rastov', 'Solvar'];
const AGENCIES = ['the NRA news agency', 'the Baltline wire service', 'the state agency KTN', 'Meridian Press', 'the Coastal Newswire', 'the TVR agency'];
const OFFICIALS = ['the interior ministry', 'the regional governor', 'the harbour authority', 'the finance ministry', 'a police spokesperson', 'the emergency services', 'the central bank', 'the transport ministry', 'the mayor\u2019s office', 'the energy regulator'];
const SUBJECTS = ['ferry', 'grain shipment', 'power grid', 'rail line', 'bridge', 'harbour', 'pipeline', 'storm', 'election', 'budget', 'strike', 'flood barrier', 'airport', 'wind farm', 'border crossing', 'fishing fleet', 'refinery', 'hospital', 'court ruling', 'trade deal'];
const VERBS = ['halted', 'reopened', 'delayed', 'approved', 'suspended', 'expanded', 'inspected', 'evacuated', 'restored', 'rejected', 'extended', 'cancelled'];
const ADJ = ['overnight', 'temporary', 'unexpected', 'disputed', 'long-awaited', 'emergency', 'partial', 'sweeping', 'preliminary', 'record'];
const NOUNS = ['talks', 'repairs', 'inspection', 'investigation', 'measures', 'closure', 'evacuation', 'agreement', 'protest', 'forecast', 'shortage', 'recovery', 'tender', 'audit', 'vote'];
const NUMBERS = ['two', 'three', 'four', 'five', 'a dozen', 'dozens of', 'several hundred', 'about 40', 'more than 1,200', 'nearly 300'];
const PEOPLE = ['residents', 'workers', 'passengers', 'officials', 'families', 'engineers', 'farmers', 'students', 'crew members', 'inspectors'];

/**
 * Two-word queries that are each asked once in a run (a place or subject with an action or noun,
 * shuffled): what a search costs when no cached answer exists.
 */
export function distinctSearchQueries(): string[] {
  const firsts = [...PLACES.filter((p) => !p.includes(' ')), ...SUBJECTS.filter((w) => !w.includes(' '))];
  const seconds = [...NOUNS, ...VERBS, ...ADJ.filter((w) => !w.includes('-'))];
  const all = firsts.flatMap((a) => seconds.map((b) => `${a.toLowerCase()} ${b}`));
  const r = prng(11);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
}

export const SEARCH_QUERIES = [
  'harbour repairs', 'grain shipment', 'emergency measures', 'ferry delayed', 'power grid', 'rail line',
  'budget vote', 'flood barrier', 'border crossing', 'wind farm', 'trade deal', 'court ruling',
];

export function storyFor(i: number, ctx: { photoIds: number[]; sections: string[]; authors: string[]; tags: string[] }) {
  const r = prng(i * 7919 + 17);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const place = pick(PLACES);
  const subject = pick(SUBJECTS);
  const sentence = () => {
    const forms = [
      () => `${cap(pick(AGENCIES))} quoted ${pick(OFFICIALS)} as saying the ${pick(ADJ)} ${pick(NOUNS)} over the ${subject} in ${place} would continue.`,
      () => `${cap(pick(NUMBERS))} ${pick(PEOPLE)} were affected after the ${pick(SUBJECTS)} was ${pick(VERBS)}, ${pick(AGENCIES)} reported.`,
      () => `According to ${pick(OFFICIALS)}, the ${pick(NOUNS)} began ${pick(ADJ)} and the ${subject} was ${pick(VERBS)} on ${pick(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])}.`,
      () => `${cap(pick(OFFICIALS))} told reporters that ${pick(NUMBERS)} ${pick(PEOPLE)} had been ${pick(VERBS)} near ${pick(PLACES)}.`,
      () => `The ${pick(ADJ)} ${pick(NOUNS)} followed weeks of ${pick(NOUNS)} around the ${pick(SUBJECTS)}, ${pick(AGENCIES)} said.`,
    ];
    return pick(forms)();
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(r() * 2) }, sentence).join(' ');
  const count = 15 + Math.floor(r() * 6);
  const blocks: Block[] = [];
  const access = r() < 0.6 ? 'public' : r() < 0.4 ? 'registered' : 'subscribers';
  for (let p = 0; p < count; p++) {
    if (p === 3 && access !== 'public') blocks.push({ type: 'paywall' });
    if (p === 6) {
      blocks.push({
        type: 'quote',
        text: `\u201cThe ${subject} will be ${pick(VERBS)} as soon as it is safe to do so,\u201d the statement said.`,
        attribution: `${cap(pick(OFFICIALS))} statement`,
      });
    }
    blocks.push({ type: 'paragraph', text: paragraph() });
  }
  const photoId = ctx.photoIds.length > 0 ? ctx.photoIds[i % ctx.photoIds.length] : null;
  if (photoId !== null) blocks.push({ type: 'image', photoId });
  const headline = `${cap(subject)} ${pick(VERBS)} in ${place} as ${pick(NOUNS)} ${pick(['continue', 'widen', 'stall', 'resume', 'end'])}`;
  return {
    slug: `story-${i}`,
    headline,
    standfirst: `${cap(pick(AGENCIES))} says ${pick(NUMBERS)} ${pick(PEOPLE)} are affected by the ${pick(ADJ)} ${pick(NOUNS)}.`,
    body: blocks,
    dateline: place.toUpperCase(),
    section: ctx.sections[i % ctx.sections.length],
    authors: [ctx.authors[i % ctx.authors.length]],
    tags: [ctx.tags[i % ctx.tags.length], ctx.tags[(i * 7 + 3) % ctx.tags.length]].filter((t, k, a) => a.indexOf(t) === k),
    sources: [pick(['NRA', 'Baltline', 'KTN', 'Meridian Press', 'Coastal Newswire', 'TVR'])],
    access: access as 'public' | 'registered' | 'subscribers',
    featuredPhotoId: photoId,
  };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
