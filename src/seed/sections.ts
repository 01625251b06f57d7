export const SAMPLE_SECTIONS = [
  { slug: 'world', name: 'World', description: 'International news from our correspondents and agencies', position: 1 },
  { slug: 'politics', name: 'Politics', description: 'Governments, parliaments and elections', position: 2 },
  { slug: 'business', name: 'Business', description: 'Markets, companies and the economy', position: 3 },
  { slug: 'science', name: 'Science', description: 'Research, climate and technology', position: 4 },
];
