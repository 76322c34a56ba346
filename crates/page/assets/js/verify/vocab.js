// The closed vocabularies the model parses (crates/model/src/vocab.rs and
// scope.rs; docs/VOCABULARY.md): territories, sales channels, product
// categories (a tree: a category covers its descendants), creator roles,
// media types and IPTC digital source types.

/** Officially assigned ISO 3166-1 alpha-2 codes. */
const COUNTRIES = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR
KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE
RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL
TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/),
);

/** Whether `text` is a territory. */
export const isCountry = (text) => COUNTRIES.has(text);

/** The sales channels, a flat list. */
export const CHANNELS = Object.freeze(['retail', 'online', 'marketplace', 'wholesale', 'events']);

/** Whether `text` is a channel. */
export const isChannel = (text) => CHANNELS.includes(text);

/** Each product category and its parent (`null` for a top level). */
const CATEGORY_PARENT = new Map([
  ['animals', null],
  ['apparel', null],
  ['arts-entertainment', null],
  ['baby-toddler', null],
  ['business-industrial', null],
  ['cameras-optics', null],
  ['electronics', null],
  ['food-beverages', null],
  ['furniture', null],
  ['hardware', null],
  ['health-beauty', null],
  ['home-garden', null],
  ['bags', null],
  ['mature', null],
  ['media', null],
  ['office-supplies', null],
  ['religious-ceremonial', null],
  ['software', null],
  ['sporting-goods', null],
  ['toys-games', null],
  ['vehicles-parts', null],
  ['clothing', 'apparel'],
  ['accessories', 'apparel'],
  ['costumes', 'apparel'],
  ['handbag-accessories', 'apparel'],
  ['handbags', 'apparel'],
  ['jewelry', 'apparel'],
  ['shoe-accessories', 'apparel'],
  ['footwear', 'apparel'],
  ['watches', 'jewelry'],
]);

/** Whether `text` is a category. */
export const isCategory = (text) => CATEGORY_PARENT.has(text);

/** Whether category `granted` is `used` or one of its ancestors: a grant for it covers `used`. */
export function covers(granted, used) {
  for (let at = used; at !== null && at !== undefined; at = CATEGORY_PARENT.get(at)) {
    if (at === granted) return true;
  }
  return false;
}

/** Whether `text` is a label (a creator's role): 1 to 64 of a-z 0-9 - _ ., starting with a letter or digit. */
export const isLabel = (text) => /^[a-z0-9][a-z0-9._-]{0,63}$/.test(text);

/** Whether `text` is a lower-case `type/subtype` with RFC 6838 restricted names. */
export function isMediaType(text) {
  const name = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;
  const slash = text.indexOf('/');
  return slash >= 0 && name.test(text.slice(0, slash)) && name.test(text.slice(slash + 1));
}

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const IPTC_TERMS = new Set([
  'digitalCapture',
  'computationalCapture',
  'negativeFilm',
  'positiveFilm',
  'print',
  'humanEdits',
  'minorHumanEdits',
  'algorithmicallyEnhanced',
  'digitalCreation',
  'digitalArt',
  'dataDrivenMedia',
  'trainedAlgorithmicMedia',
  'algorithmicMedia',
  'screenCapture',
  'virtualRecording',
  'composite',
  'compositeCapture',
  'compositeSynthetic',
  'compositeWithTrainedAlgorithmicMedia',
  'softwareImage',
]);

/** Whether `text` is an IPTC digital source type URI. */
export const isDigitalSourceType = (text) => text.startsWith(IPTC) && IPTC_TERMS.has(text.slice(IPTC.length));
