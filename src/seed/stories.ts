/**
 * Sample content for a fresh Newsdesk database: an invented publication with invented countries
 * (Ostravia, Norvask, Calderra, Thessara, Valdenia), people, agencies (OSTPRESS, Norvask-Wire/NVW,
 * Agência Lumen, Kyria Press Service, Meridian Wire) and events. Nothing here refers to real
 * people, agencies or current events.
 *
 * Each story is in the shape the design describes: headline, 15–20 short wire-style paragraphs
 * attributing facts to agencies and officials, exactly one pulled quote (a Markdown blockquote
 * whose last line is the attribution starting with "— "), at most one `## subheading`, and for
 * gated stories a `<!-- paywall -->` line after the 3rd or 4th paragraph. Dates are relative to
 * "now" (`publishedDaysAgo`, negative = scheduled) so the seed always looks current.
 */

export interface SampleAuthor {
  slug: string;
  name: string;
  bio: string;
  role: string;
}

export interface SampleTag {
  slug: string;
  name: string;
}

export interface SamplePhoto {
  headline: string;
  caption: string;
  credit: string;
  creator: string;
  altText: string;
  takenDaysAgo: number;
  colour: [number, number, number];
}

export interface SampleStory {
  slug: string;
  headline: string;
  standfirst: string;
  section: 'world' | 'politics' | 'business' | 'science';
  /** Slugs from SAMPLE_TAGS. */
  tags: string[];
  /** Slugs from SAMPLE_AUTHORS; the first is the lead author. */
  authors: string[];
  /** e.g. 'VELGRAD, Ostravia' */
  dateline: string;
  /** Agencies credited. */
  sources: string[];
  access: 'public' | 'registered' | 'subscribers';
  /** Default 'published'. */
  status?: 'published' | 'draft';
  /** Negative = scheduled in the future. */
  publishedDaysAgo: number;
  markdown: string;
  photo: SamplePhoto;
}

/** A phrase that appears in the full text of AFTER_PAYWALL_STORY only after its paywall line. */
export const AFTER_PAYWALL_PHRASE = 'transformer barges stranded upriver';
export const AFTER_PAYWALL_STORY = 'ostragrid-warns-of-winter-power-shortfall';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** "November 22, 2026" for a day N days before the moment this module is loaded (UTC). */
function captionDate(daysAgo: number): string {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

const THIRD_PARTY = 'ATTENTION EDITORS - THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY. NO RESALES. NO ARCHIVES.';

export const SAMPLE_AUTHORS: SampleAuthor[] = [
  {
    slug: 'zoe-brandao',
    name: 'Zoë Brandão',
    role: 'Chief Correspondent, Central Europe',
    bio: 'Zoë Brandão has reported from Velgrad since 2019, covering Ostravia and its neighbours. She was previously a night editor on the wire desk in Porto Anzelo.',
  },
  {
    slug: 'henrik-aasvold',
    name: 'Henrik Aasvold',
    role: 'Political Editor',
    bio: 'Henrik Aasvold covers parliaments, elections and diplomacy across the region from Skarhavn. He has followed six Norvask general elections.',
  },
  {
    slug: 'amara-castellane',
    name: 'Amara Castellane',
    role: 'Business Correspondent',
    bio: 'Amara Castellane writes about central banks, energy markets and trade. Before journalism she worked as a commodities analyst.',
  },
  {
    slug: 'petra-szoke',
    name: 'Petra Szőke',
    role: 'Science Editor',
    bio: 'Petra Szőke reports on climate, oceans and research policy. She trained as a geologist in Kőváros and has joined expeditions on three research vessels.',
  },
];

export const SAMPLE_TAGS: SampleTag[] = [
  { slug: 'energy', name: 'Energy' },
  { slug: 'elections', name: 'Elections' },
  { slug: 'floods', name: 'Floods' },
  { slug: 'climate', name: 'Climate' },
  { slug: 'trade', name: 'Trade' },
  { slug: 'diplomacy', name: 'Diplomacy' },
  { slug: 'central-banks', name: 'Central banks' },
];

export const SAMPLE_STORIES: SampleStory[] = [
  // 1 ─ world, public, 3 days ago
  {
    slug: 'velgrad-harbour-floods-force-thousands-from-homes',
    headline: 'Floods force thousands from their homes as River Vela bursts its banks in Velgrad',
    standfirst: 'More than 6,000 people were evacuated from the Ostravian capital\'s harbour districts; the army is reinforcing levees upstream.',
    section: 'world',
    tags: ['floods', 'climate'],
    authors: ['zoe-brandao'],
    dateline: 'VELGRAD, Ostravia',
    sources: ['OSTPRESS', 'Meridian Wire'],
    access: 'public',
    publishedDaysAgo: 3,
    markdown: `Floodwater swept through the lower districts of Velgrad on Sunday after the River Vela burst its banks, forcing more than 6,000 people from their homes, the Ostravian interior ministry said in a statement.

The state news agency OSTPRESS quoted emergency officials as saying the water in the old harbour had risen 2.4 metres above its seasonal average overnight, the highest level recorded since 1987.

Rescue crews in flat-bottomed boats evacuated residents from the Dolny Port and Saltmarket districts, where ground-floor flats and warehouses were submerged by early morning, according to footage broadcast by public television.

No deaths had been confirmed by Sunday evening, the ministry said, but two fishermen were reported missing near the mouth of the Vela and a search of the estuary was under way.

Interior Minister Mihály Dravec told reporters at a crisis centre in the city hall that the army had deployed 1,200 soldiers to reinforce levees upstream and to distribute drinking water.

> "No family in Velgrad will spend a night without shelter. Every school gym in the city is open, and we will keep them open for as long as it takes."
>
> — Mihály Dravec, Minister of the Interior

The Meridian Wire news service quoted the national meteorological office as forecasting a further 60 millimetres of rain over the Vela basin by Tuesday, with a risk of flooding in towns downstream.

Power was cut as a precaution to roughly 14,000 households in the harbour area, the grid operator Ostragrid said, adding that supply would be restored district by district once substations had been inspected.

## Harbour closed to shipping

The port authority closed the harbour to all commercial traffic and said grain and container vessels had been ordered to anchor offshore until the current eased.

A spokeswoman for the authority told OSTPRESS that at least three cranes on the container quay had been damaged by debris carried down the river, but that the extent of the damage could not yet be assessed.

Residents in Saltmarket said the water had risen faster than anyone expected. "It came up the stairs in less than an hour," one baker told public television, standing outside his flooded shop.

Opposition lawmakers accused the government of delaying repairs to the harbour flood wall, a project approved in 2021 but repeatedly postponed because of budget disputes.

The interior ministry rejected the criticism, saying in a statement that the first phase of the wall had been completed on schedule and that the flooding had exceeded every design scenario.

Neighbouring Norvask offered to send pumping equipment and two rescue teams, the Norvask news agency NVW reported, citing the foreign ministry in Skarhavn.

Environmental groups said the floods were the third serious inundation of the Vela basin in five years and called for a regional plan to restore wetlands upstream.

The city's schools will remain closed on Monday, the mayor's office said, and residents were urged to avoid the riverbank and to boil tap water until further notice.

Officials said damage assessments would begin as soon as the water receded, and that families who lost belongings would be able to apply for emergency grants from Wednesday.
`,
    photo: {
      headline: 'Rescue boat in the flooded Saltmarket district of Velgrad',
      caption: `Rescue workers steer an inflatable boat along a flooded street in the Saltmarket district of Velgrad, Ostravia, after the River Vela burst its banks, ${captionDate(3)}. Ostravian Interior Ministry/Handout via OSTPRESS. ${THIRD_PARTY}`,
      credit: 'OSTPRESS-MERIDIAN/OSTRAVIAN INTERIOR MINISTRY HANDOUT',
      creator: 'Ostravian Interior Ministry press service',
      altText: 'Rescue workers in orange life jackets steer an inflatable boat past half-submerged cars on a street lined with brick warehouses.',
      takenDaysAgo: 3,
      colour: [92, 110, 118],
    },
  },

  // 2 ─ politics, registered, 5 days ago
  {
    slug: 'norvask-coalition-talks-stall-over-fuel-tax',
    headline: 'Norvask coalition talks stall over heating fuel tax',
    standfirst: 'The Coastal Party and the Heartland Alliance have agreed most of a programme for government, but not how to pay for home insulation.',
    section: 'politics',
    tags: ['elections', 'energy'],
    authors: ['henrik-aasvold'],
    dateline: 'SKARHAVN, Norvask',
    sources: ['Norvask-Wire'],
    access: 'registered',
    publishedDaysAgo: 5,
    markdown: `Talks to form a new government in Norvask stalled on Thursday after the Coastal Party and the agrarian Heartland Alliance failed to agree on a planned increase in the tax on heating fuel, the Norvask news agency NVW reported.

The two parties together hold 91 of the 169 seats in the Thingsal, the national parliament, and had been expected to present a coalition agreement before the end of the week.

Ragna Elvestad, the Coastal Party leader asked to form a cabinet after last month's election, told reporters outside the parliament building in Skarhavn that negotiators would not meet again before Monday.

<!-- paywall -->

According to NVW, which cited two people familiar with the talks, the dispute centres on a proposal to raise the fuel levy by 18 percent over three years to finance insulation grants for older homes.

The Heartland Alliance, whose voters are concentrated in the cold inland valleys, has said any increase would fall hardest on rural households that have no alternative to oil-fired boilers.

"We did not win four hundred thousand votes to make winter more expensive in Tromvik," the Alliance's deputy leader, Oskar Brenna, said in a radio interview quoted by NVW.

The Coastal Party said in a written statement that it remained committed to the reform but was open to a longer timetable and to exemptions for low-income pensioners.

> "We have agreed on ninety percent of a programme for government. The last ten percent is the hardest, and we intend to finish it properly rather than quickly."
>
> — Ragna Elvestad, leader of the Coastal Party

## Markets watch the deadline

Under the constitution, the head of state may invite another party leader to attempt a coalition if no agreement is reached within 28 days of the election, a deadline that falls next week.

The Norvask mark weakened slightly on Thursday, and the yield on ten-year government bonds rose four basis points, which traders in Skarhavn attributed partly to uncertainty over next year's budget.

The outgoing finance ministry said in a statement that a caretaker budget could be adopted if needed, so that salaries and pensions would be paid on time in the new year.

Political analysts quoted by NVW said Elvestad could still turn to the smaller Liberal Union, although that party has ruled out supporting any cabinet that includes the Heartland Alliance.

The Liberal Union's leader, Kaja Fjellstad, told the agency her party would "listen to any serious offer" but would not comment on the details of a possible deal.

An opinion poll published on Wednesday by the daily Skarhavn Tidende showed 54 percent of voters wanted the negotiations concluded before the new parliamentary session opens.

Both parties said they would consult their parliamentary groups over the weekend, and NVW reported that Heartland Alliance members were due to hold a closed meeting in Tromvik on Saturday.

Norvask has been run by a caretaker cabinet since the election, in which the outgoing Civic Democrats lost 14 seats and their leader, Arne Tollefsen, announced his retirement from politics.

Elvestad, a former fisheries minister, has never led a government. If the talks fail, she would be the first party leader in two decades to return the mandate to the head of state.
`,
    photo: {
      headline: 'Ragna Elvestad speaks to reporters in Skarhavn',
      caption: `Coastal Party leader Ragna Elvestad speaks to reporters outside the Thingsal, the Norvask parliament, after coalition talks with the Heartland Alliance were adjourned, in Skarhavn, Norvask, ${captionDate(5)}. Coastal Party/Handout via NVW. ${THIRD_PARTY}`,
      credit: 'NORVASK-WIRE/COASTAL PARTY HANDOUT',
      creator: 'Coastal Party press office',
      altText: 'A woman in a dark green coat speaks into a cluster of microphones on the stone steps of a parliament building on a grey day.',
      takenDaysAgo: 5,
      colour: [64, 84, 72],
    },
  },

  // 3 ─ business, subscribers, 8 days ago — carries AFTER_PAYWALL_PHRASE after its paywall line
  {
    slug: 'ostragrid-warns-of-winter-power-shortfall',
    headline: 'Ostravian grid operator warns of winter power shortfall as Norvask link is delayed',
    standfirst: 'Ostragrid says peak demand could outstrip supply by up to 900 megawatts; shares fall nearly 6 percent.',
    section: 'business',
    tags: ['energy', 'trade'],
    authors: ['amara-castellane', 'zoe-brandao'],
    dateline: 'VELGRAD, Ostravia',
    sources: ['OSTPRESS', 'Meridian Wire'],
    access: 'subscribers',
    publishedDaysAgo: 8,
    markdown: `Ostravia's national grid operator warned on Monday that the country could face rolling power cuts this winter if a delayed interconnector with Norvask is not completed by January, sending shares in the state-controlled company down nearly 6 percent.

Ostragrid said in its quarterly outlook that peak demand during a cold spell could exceed available generating capacity by up to 900 megawatts, roughly the output of one large power station.

The company's chief executive, Tobiás Renko, told an analysts' call that the shortfall was "manageable but not comfortable" and that contingency plans had been drawn up with the energy ministry.

The state news agency OSTPRESS quoted the ministry as saying households would be the last to be affected by any rationing, after large industrial users and public lighting.

<!-- paywall -->

The interconnector, a 220-kilometre high-voltage line across the northern border, was due to open in October but has been held up by a shortage of specialised equipment, Ostragrid said.

Renko said the last of the seven transformer barges stranded upriver by the recent floods on the Vela had only reached the converter station at Bralin on Friday, three weeks later than planned.

Engineers now expect to energise the line in stages from mid-December, he said, provided that tests on the Norvask side, run by the operator Fjordlinje, are completed on time.

## Industry asks for clarity

The Ostravian Chamber of Industry said in a statement that manufacturers needed at least two weeks' notice of any curtailment to protect furnaces and chemical plants from damage.

Kessary Metals, which runs an aluminium smelter and is the country's largest single electricity consumer, said it was prepared to cut its load by a third during peak hours in exchange for compensation.

Energy Minister Danuta Kreschel said the government would publish a rationing schedule by the end of the month and would pay industrial users who volunteered to reduce demand.

> "Nobody in Ostravia will be left in a cold home this winter. We are asking industry to carry the first burden, and we will pay fairly for it."
>
> — Danuta Kreschel, Minister of Energy

Meridian Wire reported that Ostravia imports about a fifth of its electricity in winter, mostly from Norvask hydropower plants, whose reservoirs are currently close to their long-term average.

Analysts at the Velgrad brokerage Dunmar Securities said the warning was more cautious than expected and cut their rating on Ostragrid shares to "hold", citing the risk of compensation costs.

Wholesale power prices for January delivery rose 11 percent on the Velgrad energy exchange after the statement, according to exchange data.

Opposition energy spokesman Petr Valoun said the government had ignored repeated warnings about delays to the line and called for an inquiry into the procurement of the equipment.

Ostragrid shares closed 5.8 percent lower in Velgrad, their steepest one-day fall since the company was listed in 2016, while the broader market index slipped 0.4 percent.

Ostragrid said it would update its outlook every two weeks until the interconnector was in service, and urged consumers to reduce use during the early evening peak.
`,
    photo: {
      headline: 'Converter station at Bralin under construction',
      caption: `Workers inspect equipment at the converter station of the Ostravia-Norvask interconnector under construction near Bralin, Ostravia, ${captionDate(9)}. Ostragrid/Handout via OSTPRESS. ${THIRD_PARTY}`,
      credit: 'OSTPRESS-MERIDIAN/OSTRAGRID HANDOUT',
      creator: 'Ostragrid corporate communications',
      altText: 'Two workers in hard hats stand beneath tall grey insulators and steel gantries at an electrical converter station at dusk.',
      takenDaysAgo: 9,
      colour: [118, 128, 141],
    },
  },

  // 4 ─ business, public, 12 days ago
  {
    slug: 'calderra-central-bank-holds-rates-as-food-prices-rise',
    headline: 'Calderra central bank holds rates as food prices slow the fall in inflation',
    standfirst: 'Governor Inês Valadão says a cut would be premature; exporters complain that the strong calder is squeezing margins.',
    section: 'business',
    tags: ['central-banks', 'trade'],
    authors: ['amara-castellane'],
    dateline: 'PORTO ANZELO, Calderra',
    sources: ['Agência Lumen', 'Meridian Wire'],
    access: 'public',
    publishedDaysAgo: 12,
    markdown: `Calderra's central bank kept its benchmark interest rate unchanged at 7.25 percent on Wednesday, saying inflation was easing more slowly than expected as food prices rose after a poor harvest, the national news agency Agência Lumen reported.

The decision by the monetary policy committee was unanimous and in line with the forecasts of all 19 economists polled by Meridian Wire earlier in the week.

Annual consumer price inflation slowed to 5.8 percent last month from 6.4 percent, the national statistics institute said, but it remains well above the bank's target of 3 percent.

Governor Inês Valadão told a news conference at the bank's headquarters in Porto Anzelo that the committee had discussed a cut but concluded that it would be premature.

> "We are close, but we are not there yet. Cutting too early would cost Calderran families far more than waiting a few more weeks."
>
> — Inês Valadão, Governor of the Central Bank of Calderra

The bank raised its inflation forecast for the end of the year to 5.1 percent from 4.7 percent, citing a 14 percent jump in the price of rice and beans after drought in the southern provinces.

Valadão said core inflation, which excludes food and energy, had fallen for five consecutive months and that wage growth was moderating, which she called "an encouraging sign".

## Exporters feel the pinch

Calderra's currency, the calder, strengthened 0.6 percent against the currencies of its main trading partners after the announcement, extending a rally that has lifted it nearly 9 percent this year.

Exporters of coffee, copper and leather goods have complained that the strong currency is eroding their margins. The Federation of Calderran Exporters said in a statement that high rates were "choking the productive economy".

Finance Minister Joaquim Serrão said the government respected the bank's independence but hoped that conditions would allow "a gradual easing" next year, according to Agência Lumen.

Trade data released on Tuesday showed Calderra's exports fell 3.2 percent in the third quarter from a year earlier, while imports rose 5 percent, narrowing the trade surplus to its lowest level in four years.

Economists at Banco Litoral, one of the country's largest lenders, said they now expected the first rate cut in the first quarter of next year rather than in December.

The central bank's next policy meeting is scheduled in six weeks. The minutes of Wednesday's meeting will be published next Thursday, the bank said.

Analysts said the minutes would be scrutinised for any sign of disagreement over the pace of easing, after two committee members argued for a cut at the previous meeting.

Meridian Wire reported that bond markets had priced in roughly a 40 percent chance of a cut at the next meeting, down from 65 percent a week earlier.

Shares on the Porto Anzelo stock exchange closed 0.3 percent lower, led by retailers and homebuilders, which are among the most sensitive to borrowing costs.

The bank also kept the reserve requirement for commercial lenders unchanged and said it would continue to intervene in the currency market only to smooth excessive volatility.
`,
    photo: {
      headline: 'Governor Inês Valadão at the rate decision news conference',
      caption: `Central Bank of Calderra Governor Inês Valadão attends a news conference after the monetary policy committee kept the benchmark rate at 7.25 percent, at the bank's headquarters in Porto Anzelo, Calderra, ${captionDate(12)}. Central Bank of Calderra/Handout via Agência Lumen. ${THIRD_PARTY}`,
      credit: 'LUMEN-MERIDIAN/CENTRAL BANK OF CALDERRA HANDOUT',
      creator: 'Central Bank of Calderra press office',
      altText: 'A woman with short grey hair speaks at a lectern in front of a blue backdrop bearing the central bank emblem.',
      takenDaysAgo: 12,
      colour: [31, 58, 110],
    },
  },

  // 5 ─ science, registered, 15 days ago
  {
    slug: 'orvanthe-glacier-loses-a-tenth-of-its-ice',
    headline: 'Thessara\'s largest glacier has lost a tenth of its ice in a decade, survey finds',
    standfirst: 'The Orvanthe Glacier\'s tongue has retreated 640 metres, and a new meltwater lake threatens the Mirsa valley.',
    section: 'science',
    tags: ['climate', 'floods'],
    authors: ['petra-szoke'],
    dateline: 'LYKAION, Thessara',
    sources: ['Kyria Press Service'],
    access: 'registered',
    publishedDaysAgo: 15,
    markdown: `The Orvanthe Glacier, the largest ice body in Thessara's Kessel Range, has lost more than a tenth of its volume in the past decade, according to a survey published on Tuesday by the Thessaran Hydrological Institute.

Researchers used drone-mounted radar and more than 300 ground measurements to map the glacier's thickness, and found that its tongue had retreated 640 metres since the previous survey in 2015.

The Kyria Press Service quoted the institute's director as saying the findings had "serious consequences" for water supplies in the lowlands, which depend on summer meltwater for irrigation.

<!-- paywall -->

According to the report, the glacier now holds an estimated 2.1 cubic kilometres of ice, down from 2.4 cubic kilometres a decade ago. The rate of loss has roughly doubled since the early 2000s.

The scientists attributed the retreat mainly to warmer summers and to a decline in winter snowfall, which they said had reduced the glacier's ability to replenish itself each year.

They also identified three new meltwater lakes at the glacier's edge, one of which covers nearly 40 hectares and is held back by a natural dam of loose rock and ice.

## Risk of outburst floods

The institute warned that a sudden failure of that dam could send a flood wave into the Mirsa valley, where about 4,000 people live in villages along a tributary of the River Vela.

Director Alexios Marandou said in a statement that monitoring equipment had been installed at the lake and that the valley's early warning sirens had been tested last month.

> "The glacier will not disappear tomorrow, but the changes we measured are faster than any model predicted ten years ago. We must plan for the valleys as they will be, not as they were."
>
> — Alexios Marandou, Director of the Thessaran Hydrological Institute

The environment ministry said it would fund a feasibility study for lowering the lake's water level by controlled drainage, a technique used in other mountain regions, the Kyria Press Service reported.

Farmers' unions in the Lykaion plain said the report confirmed what they had seen for years, with irrigation canals running dry earlier each summer.

Glaciologist Selin Avcar of the University of Lykaion, who was not involved in the survey, said the methodology was robust and the conclusions consistent with satellite observations.

She said, however, that the uncertainty in ice thickness at the glacier's centre remained large, because radar signals were weakened by water trapped inside the ice.

The survey was financed by the Thessaran government and a regional research fund. The full data set will be made publicly available next year, the institute said.

Thessara's parliament is due to debate a national water strategy next month, and opposition lawmakers said they would cite the survey in calling for more storage reservoirs.

Thessara's mountain glaciers supply up to 40 percent of the summer flow in the River Vela, according to the institute, which said downstream countries would also feel the effects of a long-term decline.

The next full survey is planned for 2030, but the institute said it would now measure the glacier's tongue and the meltwater lakes every summer.
`,
    photo: {
      headline: 'The Orvanthe Glacier and its new meltwater lake',
      caption: `An aerial view shows the tongue of the Orvanthe Glacier and a meltwater lake held back by a moraine dam in the Kessel Range, Thessara, in a picture taken during a survey by the Thessaran Hydrological Institute and released ${captionDate(15)}. Thessaran Hydrological Institute/Handout via Kyria Press Service. ${THIRD_PARTY}`,
      credit: 'KYRIA-MERIDIAN/THESSARAN HYDROLOGICAL INSTITUTE HANDOUT',
      creator: 'Thessaran Hydrological Institute',
      altText: 'Aerial view of a grey-white glacier ending in a milky turquoise lake surrounded by bare brown rock and scree.',
      takenDaysAgo: 19,
      colour: [124, 176, 184],
    },
  },

  // 6 ─ world, subscribers, 75 days ago (archive)
  {
    slug: 'halden-gap-border-crossing-reopens-to-freight',
    headline: 'Ostravia-Norvask border crossing reopens to freight after eight-month closure',
    standfirst: 'A joint customs terminal at the Halden Gap ends a dispute over timber shipments that cut trade between the neighbours by a fifth.',
    section: 'world',
    tags: ['diplomacy', 'trade'],
    authors: ['henrik-aasvold', 'zoe-brandao'],
    dateline: 'TROMVIK, Norvask',
    sources: ['Norvask-Wire', 'OSTPRESS'],
    access: 'subscribers',
    publishedDaysAgo: 75,
    markdown: `The main road crossing between Ostravia and Norvask reopened to freight traffic on Tuesday after an eight-month closure, ending a dispute over customs inspections that had disrupted trade between the two neighbours.

The first lorries crossed the Halden Gap checkpoint shortly after 6 a.m., the Norvask news agency NVW reported, with a queue of more than 200 vehicles stretching several kilometres on the Ostravian side.

The crossing was closed in the spring after Norvask accused Ostravian customs officers of waving through undeclared timber shipments, an allegation the government in Velgrad denied.

Under an agreement signed by the two foreign ministers last week, inspections will now be carried out jointly by officers from both countries at a single shared terminal.

<!-- paywall -->

Norvask Foreign Minister Eirik Moltzau, who attended a brief ceremony at the checkpoint, said the deal showed that neighbours could "disagree loudly and still solve problems quietly".

The Ostravian foreign ministry said in a statement that the joint terminal would cut average waiting times for freight from about five hours to under one hour.

> "This agreement is not a victory for one side. It is a victory for every driver, farmer and factory worker who depends on this road."
>
> — Eirik Moltzau, Foreign Minister of Norvask

Trade between the two countries fell by about 22 percent during the closure, according to the Norvask statistics office, as hauliers were forced to take a detour of more than 300 kilometres through the coastal crossing at Sennvik.

The Ostravian Road Hauliers' Association said its members had lost an estimated 40 million talars in extra fuel and wages while the checkpoint was shut.

## Timber still a sticking point

The agreement sets up a joint commission to investigate the timber allegations, which Norvask says involved illegally felled wood from protected forests in the Skarn mountains.

OSTPRESS quoted Ostravia's deputy foreign minister, Lenka Marović, as saying Velgrad would cooperate fully with the commission but expected it to "follow evidence, not rumours".

Environmental groups on both sides of the border welcomed the commission but said it lacked the power to impose penalties on companies found to have broken the law.

Businesses in Tromvik, the nearest Norvask town to the crossing, said the closure had hit restaurants, petrol stations and hotels that depend on passing drivers.

"We lost half our customers overnight," the owner of a roadside café told NVW. "Today is the first busy morning we have had since the spring."

Passenger cars were allowed to use the crossing throughout the closure, but only after lengthy checks, and officials said those checks would also be eased from next month.

The two governments said they would review the arrangements in six months and consider extending joint inspections to two smaller crossings further east.

Freight forwarders said it could take several weeks for supply chains to return to normal, as many contracts had been rerouted through Sennvik for the rest of the year.
`,
    photo: {
      headline: 'Lorries queue at the Halden Gap checkpoint',
      caption: `Lorries queue to cross the Halden Gap checkpoint on the border between Ostravia and Norvask as the crossing reopens to freight traffic after an eight-month closure, near Tromvik, Norvask, ${captionDate(75)}. Norvask Foreign Ministry/Handout via NVW. ${THIRD_PARTY}`,
      credit: 'NORVASK-WIRE/NORVASK FOREIGN MINISTRY HANDOUT',
      creator: 'Norvask Foreign Ministry',
      altText: 'A long line of articulated lorries waits on a two-lane road through pine forest towards a customs canopy and raised barrier.',
      takenDaysAgo: 75,
      colour: [58, 82, 60],
    },
  },

  // 7 ─ politics, public, 120 days ago (archive)
  {
    slug: 'kovaros-elects-first-green-mayor',
    headline: 'Kőváros elects environmental campaigner as mayor, ending 24 years of National Unity rule',
    standfirst: 'Former hydrologist Zsófia Kerekes won the runoff on a promise of clean air, electric buses and hourly pollution data.',
    section: 'politics',
    tags: ['elections', 'climate'],
    authors: ['zoe-brandao'],
    dateline: 'KŐVÁROS, Ostravia',
    sources: ['OSTPRESS'],
    access: 'public',
    publishedDaysAgo: 120,
    markdown: `Voters in Kőváros, Ostravia's third-largest city, elected an environmental campaigner as mayor on Sunday, ending 24 years of control by the ruling National Unity party, according to official results.

Zsófia Kerekes, a 38-year-old former hydrologist who ran on a platform of clean air and public transport, won 52.6 percent of the vote in the runoff, the city electoral commission said.

Her opponent, incumbent deputy mayor Gábor Lantos, received 47.4 percent. Turnout was 61 percent, the highest for a municipal election in Kőváros since the 1990s, OSTPRESS reported.

Kerekes told cheering supporters in the main square, beneath the city's medieval stone tower, that her victory belonged to "everyone who is tired of breathing smoke in winter".

Air pollution dominated the campaign. Kőváros sits in a valley ringed by hills and regularly records some of the worst winter smog in the region because of coal heating and heavy traffic.

Kerekes has promised to replace the city's diesel buses with electric ones within six years, to subsidise the replacement of coal stoves, and to create a low-emission zone in the historic centre.

## Government plays down the result

National Unity officials in Velgrad played down the significance of the result, saying it reflected local concerns rather than a shift in national politics.

Government spokesman Viktor Halas told OSTPRESS that the cabinet would "work with every elected mayor in the interests of citizens", but declined to say whether it would support funding for the bus programme.

The chair of the electoral commission said in a statement that the count had been completed without significant irregularities.

> "Every ballot in Kőváros has been counted twice, in the presence of observers from both campaigns. The result is final and beyond doubt."
>
> — Ágnes Fehérvári, Chair of the Kőváros Electoral Commission

Lantos conceded defeat late on Sunday evening and congratulated his opponent in a short statement posted online, saying he would remain on the city council.

Political analysts said the result could encourage opposition parties ahead of next year's parliamentary election, in which National Unity is seeking a fourth consecutive term.

Polls suggest the party's national support has slipped below 40 percent for the first time, partly because of rising energy prices and anger over the handling of last winter's gas shortages.

Kerekes, who describes herself as independent but was backed by three opposition parties, will take office in two weeks. Her first act, she said, would be to publish the city's air quality data every hour.

The city council, where National Unity retains a narrow majority, is expected to challenge parts of her programme, particularly the low-emission zone, which some shopkeepers in the old town oppose.

The Kőváros chamber of commerce said in a statement that it was ready to work with the new mayor but asked for a long transition period for delivery vans and tradespeople.

Environmental groups across Ostravia hailed the result, and a coalition of clean-air campaigners said it would field candidates in at least five other cities at the next municipal elections.
`,
    photo: {
      headline: 'Zsófia Kerekes celebrates in the main square of Kőváros',
      caption: `Zsófia Kerekes, winner of the mayoral runoff, greets supporters in Szent Márton Square beneath the old stone tower after the announcement of preliminary results in Kőváros, Ostravia, ${captionDate(120)}. Kerekes campaign/Handout via OSTPRESS. ${THIRD_PARTY}`,
      credit: 'OSTPRESS-MERIDIAN/KEREKES CAMPAIGN HANDOUT',
      creator: 'Kerekes campaign',
      altText: 'A smiling woman raises both arms before a crowd holding green flags at night, with a floodlit medieval stone tower behind her.',
      takenDaysAgo: 120,
      colour: [46, 125, 70],
    },
  },

  // 8 ─ science, subscribers, 200 days ago (archive)
  {
    slug: 'norvask-research-vessel-maps-seabed-methane-seeps',
    headline: 'Norvask research vessel maps 1,400 methane seeps on the Grey Shelf',
    standfirst: 'The most detailed survey of the shallow northern sea gives scientists a baseline, and raises questions about new drilling licences.',
    section: 'science',
    tags: ['climate', 'energy'],
    authors: ['petra-szoke'],
    dateline: 'SKARHAVN, Norvask',
    sources: ['Norvask-Wire'],
    access: 'subscribers',
    publishedDaysAgo: 200,
    markdown: `A Norvask research vessel has mapped more than 1,400 methane seeps on the seabed of the Grey Shelf, a shallow sea north of the country, in the most detailed survey of the area to date, scientists said on Thursday.

The Norvask Polar Research Directorate said the ship Havørn had spent nine weeks using sonar to detect plumes of gas bubbles rising from sediments at depths between 80 and 400 metres.

The findings, presented at a news conference in Skarhavn, suggest the seeps are more widespread than previously thought, although the directorate cautioned that most of the methane dissolves in the water before reaching the surface.

<!-- paywall -->

Methane is a powerful greenhouse gas, and scientists have long been concerned that warming ocean waters could destabilise frozen gas deposits beneath the seabed and release it in larger quantities.

Chief scientist Marit Løvaas said the team had found no evidence of a sudden increase in emissions, but that water temperatures near the seabed had risen by about 0.3 degrees Celsius since measurements began in the 1990s.

> "What we have produced is a baseline. We now know where to look, and in ten years we will be able to say with confidence whether the seabed is changing."
>
> — Marit Løvaas, Chief Scientist of the Norvask Polar Research Directorate

The survey also recorded dense colonies of tube worms, clams and bacterial mats around several of the largest seeps, which the scientists described as "oases of life" in an otherwise sparse environment.

## Questions for offshore drilling

The Norvask news agency NVW reported that the survey had been partly funded by the energy ministry, which is preparing to open new areas of the Grey Shelf to oil and gas exploration.

Environmental organisations said the data showed the shelf was too sensitive for drilling, and called on the government to postpone the licensing round planned for next year.

The energy ministry said in a statement that the findings would be taken into account in the environmental assessment and that no licences would be granted near the most active seep fields.

The state-owned energy company Nordgass said it welcomed the survey and that its own operations on the shelf already included regular monitoring of the seabed for gas leaks.

Professor Jonas Eide of the University of Tromvik, who was not involved in the expedition, said the size of the data set made it one of the most valuable of its kind, and that it would help calibrate satellite measurements of methane over northern seas.

The vessel's crew of 34 included scientists from four countries, among them researchers from Ostravia and Thessara, NVW said.

The directorate plans to return to the Grey Shelf next summer with autonomous underwater vehicles that can sample the gas directly at the seabed.

All survey data, including sonar images and water samples, will be published in an open archive within six months, the directorate said.

The Havørn, an ice-strengthened vessel commissioned in 2019, is due to begin a separate expedition to the northern ice edge in the spring.

Løvaas said the team would present its first peer-reviewed results at a scientific conference in Lykaion later in the year.
`,
    photo: {
      headline: 'Research vessel Havørn on the Grey Shelf',
      caption: `The Norvask research vessel Havørn deploys a sonar instrument during a survey of methane seeps on the Grey Shelf north of Norvask, in a picture released by the Norvask Polar Research Directorate, ${captionDate(204)}. Norvask Polar Research Directorate/Handout via NVW. ${THIRD_PARTY}`,
      credit: 'NORVASK-WIRE/NORVASK POLAR RESEARCH DIRECTORATE HANDOUT',
      creator: 'Norvask Polar Research Directorate',
      altText: 'A red-hulled research ship with a white superstructure lowers a yellow instrument from its stern crane into a dark, calm sea.',
      takenDaysAgo: 204,
      colour: [38, 52, 74],
    },
  },

  // 9 ─ world, public, scheduled 2 days ahead
  {
    slug: 'vela-basin-leaders-open-flood-summit-in-velgrad',
    headline: 'Vela basin leaders open flood summit in Velgrad as storm damage is counted',
    standfirst: 'Ostravia, Norvask, Thessara and Valdenia aim to agree a joint forecasting centre and a fund to restore floodplains.',
    section: 'world',
    tags: ['diplomacy', 'floods'],
    authors: ['zoe-brandao', 'henrik-aasvold'],
    dateline: 'VELGRAD, Ostravia',
    sources: ['OSTPRESS', 'Norvask-Wire', 'Meridian Wire'],
    access: 'public',
    publishedDaysAgo: -2,
    markdown: `Leaders of the four countries that share the River Vela basin opened a two-day summit in Velgrad on Monday, aiming to agree the first joint plan to manage floods along the river since the basin treaty was signed in 1994.

The meeting follows floods last week that forced thousands from their homes in the Ostravian capital and damaged farmland in two neighbouring countries, the state news agency OSTPRESS reported.

Ostravian Prime Minister Aurel Bănescu hosted the talks in the restored customs house on the harbour front, a building that was itself flooded to a depth of one metre only days ago.

A draft agreement seen by Meridian Wire would create a shared flood forecasting centre, oblige each government to alert the others within an hour when water levels pass agreed thresholds, and set up a fund to restore floodplains.

Norvask Foreign Minister Eirik Moltzau said on arrival that his government was ready to contribute to the fund, the Norvask news agency NVW reported, but that the size of national contributions was still under discussion.

Thessara, where the Vela rises in the glaciers of the Kessel Range, has pressed for the agreement to include joint monitoring of meltwater lakes, after its hydrological institute warned of the risk of outburst floods.

Valdenia, the smallest of the four, has asked for help to build levees along a 40-kilometre stretch of the river where villages flood almost every spring, officials said.

> "The river does not stop at our borders, and neither can our response. We expect to leave Velgrad with a plan, a budget and a timetable."
>
> — Lenka Marović, Deputy Foreign Minister of Ostravia

## Money the main obstacle

Diplomats said the main obstacle was the size of the restoration fund. Ostravia has proposed 600 million talars over ten years, while Valdenia and Thessara want contributions tied to each country's share of flood damage.

Environmental groups held a demonstration outside the customs house, calling for the treaty to protect wetlands and to ban new construction on floodplains.

OSTPRESS quoted police as saying about 1,500 people took part and that the protest was peaceful.

The summit comes as meteorologists forecast a wetter than average winter in the region, raising the risk of further flooding in the coming months.

Residents of Velgrad's harbour districts, many of whom are still drying out their homes, said they hoped the leaders would produce more than promises.

"We have heard about plans after every flood," a pensioner in the Saltmarket district told OSTPRESS. "This time we want to see the money."

Officials said a final communiqué was expected on Tuesday afternoon, followed by a joint news conference of the four leaders.

If agreed, the plan would need to be ratified by the parliaments of all four countries, a process that diplomats said could take up to a year.

Bănescu said he would also propose that the forecasting centre be based in Velgrad, an idea that Norvask officials said they were willing to consider.
`,
    photo: {
      headline: 'Vela basin leaders arrive at the customs house in Velgrad',
      caption: `Ostravian Prime Minister Aurel Bănescu welcomes delegations from Norvask, Thessara and Valdenia to the summit on flood management in the River Vela basin at the restored customs house in Velgrad, Ostravia, ${captionDate(-2)}. Ostravian Government Press Office/Handout via OSTPRESS. ${THIRD_PARTY}`,
      credit: 'OSTPRESS-MERIDIAN/OSTRAVIAN GOVERNMENT PRESS OFFICE HANDOUT',
      creator: 'Ostravian Government Press Office',
      altText: 'Four leaders in dark suits shake hands in front of the flags of four countries inside a high-ceilinged hall with arched windows.',
      takenDaysAgo: -2,
      colour: [140, 120, 96],
    },
  },

  // 10 ─ politics, registered, DRAFT
  {
    slug: 'ostravia-budget-extends-energy-price-cap',
    headline: 'Ostravia\'s draft budget extends energy price cap despite central bank warning',
    standfirst: 'Finance Minister Radomír Šulc promises a smaller deficit; the opposition calls it an election budget.',
    section: 'politics',
    tags: ['energy', 'central-banks'],
    authors: ['henrik-aasvold', 'amara-castellane'],
    dateline: 'VELGRAD, Ostravia',
    sources: ['OSTPRESS', 'Meridian Wire'],
    access: 'registered',
    status: 'draft',
    publishedDaysAgo: 1,
    markdown: `Ostravia's government presented a draft budget for next year on Wednesday that would extend a cap on household energy bills for another twelve months, despite warnings from the central bank that the measure risks fuelling inflation.

Finance Minister Radomír Šulc told parliament that the budget deficit would narrow to 3.4 percent of economic output from an estimated 4.1 percent this year, helped by higher tax revenue and cuts in administrative spending.

The cap, which limits the price households pay for electricity and gas, will cost about 2.8 billion talars, roughly the same as this year, the finance ministry said in a statement.

<!-- paywall -->

Šulc said the government had no choice but to keep the cap in place while the interconnector with Norvask remained unfinished and wholesale prices stayed high.

> "We will not ask families to choose between heating and eating. When the new power line is running and prices fall, the cap will be phased out, not before."
>
> — Radomír Šulc, Minister of Finance

The National Bank of Ostravia said in its latest financial stability report that broad energy subsidies were "poorly targeted" and could delay the return of inflation to its 2.5 percent target.

The bank's governor, Ilona Verhás, told OSTPRESS that she respected the government's right to set fiscal policy, but that interest rates might need to stay higher for longer as a result.

## Opposition calls it an election budget

Opposition parties accused the ruling National Unity of drafting an "election budget" ahead of next year's parliamentary vote, pointing to pension rises and new tax breaks for families with children.

Pensions would rise by 7 percent in January, above the expected rate of inflation, while the child tax credit would be increased by a third, according to the draft.

Public sector wages would rise by 5 percent, the ministry said, below the 8 percent demanded by teachers' and health workers' unions, who have threatened to strike.

Social Democrat leader Miroslav Kadlec said the cap benefited wealthy households with large homes as much as poor ones, and proposed replacing it with targeted payments.

Meridian Wire quoted economists as saying the deficit target was achievable but relied on optimistic assumptions about economic growth, which the government put at 2.9 percent.

The Ostravian Chamber of Industry welcomed a planned cut in payroll taxes but said the budget did little to help energy-intensive manufacturers facing the risk of power rationing this winter.

The draft also includes 180 million talars for flood defences in Velgrad and along the Vela, part of which will go to completing the harbour flood wall.

Parliament is expected to hold a first reading of the budget next week. National Unity and its junior partner hold a majority of 11 seats and are expected to pass it before the end of the year.

Credit rating analysts said they would assess the budget once it had been approved, according to Meridian Wire.

The finance ministry said it would publish a detailed breakdown of spending by ministry on its website on Thursday.
`,
    photo: {
      headline: 'Radomír Šulc presents the draft budget to parliament',
      caption: `Ostravian Finance Minister Radomír Šulc presents the government's draft budget for next year to lawmakers in the National Assembly in Velgrad, Ostravia, ${captionDate(1)}. Ostravian Finance Ministry/Handout via OSTPRESS. ${THIRD_PARTY}`,
      credit: 'OSTPRESS-MERIDIAN/OSTRAVIAN FINANCE MINISTRY HANDOUT',
      creator: 'Ostravian Finance Ministry',
      altText: 'A man in glasses holds up a thick bound document at a wooden speaker\'s podium in a semicircular parliament chamber.',
      takenDaysAgo: 1,
      colour: [150, 104, 62],
    },
  },
];
