// The closed lists the ledger accepts, with their English words: IPTC digital
// source types (crates/model/src/vocab.rs), sales channels and product
// categories (crates/model/src/scope.rs, docs/VOCABULARY.md), license check
// actions (crates/model/src/check.rs). Keep these in step with the model.

export const IPTC_BASE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** Every term of the IPTC digital source type vocabulary the model accepts, retired ones included. */
export const DIGITAL_SOURCE_TYPES = {
  digitalCapture: 'Digital capture sampled from real life',
  computationalCapture: 'Multi-frame computational capture sampled from real life',
  negativeFilm: 'Digitised from a negative on film',
  positiveFilm: 'Digitised from a positive on film',
  print: 'Digitised from a print on a non-transparent medium',
  humanEdits: 'Human-edited media',
  minorHumanEdits: 'Original media with minor human edits (retired term)',
  algorithmicallyEnhanced: 'Algorithmically altered media',
  digitalCreation: 'Digital creation: made by a person with digital tools',
  digitalArt: 'Digital art: made by a person with digital tools (retired term)',
  dataDrivenMedia: 'Data-driven media',
  trainedAlgorithmicMedia: 'Created using generative AI',
  algorithmicMedia: 'Pure algorithmic media, not from trained AI',
  screenCapture: 'Screen capture',
  virtualRecording: 'Virtual recording',
  composite: 'Composite of elements',
  compositeCapture: 'Composite of captured elements',
  compositeSynthetic: 'Composite including synthetic elements',
  compositeWithTrainedAlgorithmicMedia: 'Edited using generative AI (a composite with AI-made elements)',
  softwareImage: 'Created by software (retired term)',
};

/** The words for a digital source type URI; an unknown one is shown as it is. */
export function digitalSourceWords(uri) {
  if (typeof uri === 'string' && uri.startsWith(IPTC_BASE)) {
    const words = DIGITAL_SOURCE_TYPES[uri.slice(IPTC_BASE.length)];
    if (words) return words;
  }
  return `an unknown source type (${uri})`;
}

/** Sales channels, in the model's order. */
export const CHANNELS = [
  ['retail', 'Retail: physical shops selling to consumers'],
  ['online', "Online: the licensee's own web shop or app"],
  ['marketplace', 'Marketplace: third-party online marketplaces'],
  ['wholesale', 'Wholesale: sales to businesses that resell'],
  ['events', 'Events: pop-up stores, fairs and other temporary sales'],
];

/** Product categories, in the model's order (Google product taxonomy paths). */
export const CATEGORIES = [
  ['animals', 'Animals & Pet Supplies'],
  ['apparel', 'Apparel & Accessories'],
  ['arts-entertainment', 'Arts & Entertainment'],
  ['baby-toddler', 'Baby & Toddler'],
  ['business-industrial', 'Business & Industrial'],
  ['cameras-optics', 'Cameras & Optics'],
  ['electronics', 'Electronics'],
  ['food-beverages', 'Food, Beverages & Tobacco'],
  ['furniture', 'Furniture'],
  ['hardware', 'Hardware'],
  ['health-beauty', 'Health & Beauty'],
  ['home-garden', 'Home & Garden'],
  ['bags', 'Luggage & Bags'],
  ['mature', 'Mature'],
  ['media', 'Media'],
  ['office-supplies', 'Office Supplies'],
  ['religious-ceremonial', 'Religious & Ceremonial'],
  ['software', 'Software'],
  ['sporting-goods', 'Sporting Goods'],
  ['toys-games', 'Toys & Games'],
  ['vehicles-parts', 'Vehicles & Parts'],
  ['clothing', 'Apparel & Accessories > Clothing'],
  ['accessories', 'Apparel & Accessories > Clothing Accessories'],
  ['costumes', 'Apparel & Accessories > Costumes & Accessories'],
  ['handbag-accessories', 'Apparel & Accessories > Handbag & Wallet Accessories'],
  ['handbags', 'Apparel & Accessories > Handbags, Wallets & Cases'],
  ['jewelry', 'Apparel & Accessories > Jewelry'],
  ['shoe-accessories', 'Apparel & Accessories > Shoe Accessories'],
  ['footwear', 'Apparel & Accessories > Shoes'],
  ['watches', 'Apparel & Accessories > Jewelry > Watches'],
];

/** License check actions. */
export const ACTIONS = [
  ['commercial', 'Commercial use (making and selling)'],
  ['non-commercial', 'Non-commercial use'],
  ['derivative', 'A derivative design'],
  ['ai-training', 'Training AI models'],
];

/** The officially assigned ISO 3166-1 alpha-2 codes the model accepts (crates/model/src/vocab.rs). */
export const TERRITORIES = ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH '
  + 'BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ '
  + 'DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR '
  + 'GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR '
  + 'KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV '
  + 'MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE '
  + 'RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL '
  + 'TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' ');

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], {type: 'region'});
  } catch {
    return null;
  }
})();

/** "FR (France)", using the browser's own country names when it has them. */
export function territoryWords(code) {
  const name = regionNames?.of(code);
  return name && name !== code ? `${code} (${name})` : code;
}

function lookup(list, label) {
  return list.find(([value]) => value === label)?.[1] ?? label;
}

export const channelWords = (label) => lookup(CHANNELS, label);
export const categoryWords = (label) => lookup(CATEGORIES, label);
export const actionWords = (label) => lookup(ACTIONS, label);
