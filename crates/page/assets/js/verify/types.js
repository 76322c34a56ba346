// The shapes of the model's and the API's types (crates/model/src/state.rs,
// terms.rs, payload.rs, check.rs; crates/api/src/design.rs, proven.rs,
// state.rs), read with serde's rules by ./shape.js. Field lists follow the
// Rust structs; `deny` marks `#[serde(deny_unknown_fields)]`.

import {
  any,
  bool,
  category,
  channel,
  country,
  currency,
  digitalSourceType,
  hex32,
  identity,
  isccCode,
  label,
  list,
  mediaType,
  oneOf,
  option,
  ppm,
  signature,
  skipNone,
  string,
  stringSet,
  struct,
  timestamp,
  uint,
  withDefault,
} from './shape.js';

const none = () => [];

// --- state records (crates/model/src/state.rs, statemap.rs) ---

export const EntryRef = struct({ index: uint, leaf_hash: hex32, logged_at: timestamp });

export const Owner = struct({ key: identity, share_ppm: ppm });

export const ParentLink = struct({ design: hex32, grant: hex32 });

export const DesignState = struct({
  id: hex32,
  parents: list(ParentLink),
  license_threshold_ppm: ppm,
  owners: list(Owner),
  registered: EntryRef,
  ownership: EntryRef,
  blocking_disputes: stringSet(hex32),
});

export const Money = struct({ amount_minor: uint, currency });

export const Royalty = struct({ policy: oneOf('LAP', 'LRP'), rev_share_ppm: ppm });

export const LicenseTerms = struct({
  commercial_use: bool,
  derivatives_allowed: bool,
  derivatives_reciprocal: bool,
  derivatives_approval: bool,
  attribution: bool,
  royalty: Royalty,
  minting_fee: skipNone(option(Money)),
  territories: withDefault(list(country), none),
  channels: withDefault(list(channel), none),
  categories: withDefault(list(category), none),
  starts_at: timestamp,
  ends_at: skipNone(option(timestamp)),
  max_units: skipNone(option(uint)),
  exclusive: bool,
  sublicensable: bool,
  transferable: bool,
  ai_training: bool,
});

export const Revocation = struct({ by: oneOf('owners', 'licensee'), reason: string, entry: EntryRef });

export const GrantState = struct({
  id: hex32,
  design: hex32,
  licensee: identity,
  terms: LicenseTerms,
  granted: EntryRef,
  units_used: uint,
  last_usage: skipNone(option(EntryRef)),
  revoked: option(Revocation),
});

export const Resolution = struct({
  outcome: oneOf('upheld', 'dismissed'),
  note: string,
  arbiters: list(identity),
  entry: EntryRef,
});

export const DisputeState = struct({
  id: hex32,
  design: hex32,
  claim: string,
  evidence: hex32,
  raised_by: list(identity),
  raised: EntryRef,
  resolution: option(Resolution),
});

export const KeySuccession = struct({ successor: identity });

export const LicenseeGrants = struct({ grants: list(hex32) });

// --- payloads (crates/model/src/payload.rs), by kind ---

export const ContentDescriptor = struct({
  blake3: hex32,
  sha256: hex32,
  size: uint,
  media_type: mediaType,
  iscc: skipNone(option(isccCode)),
});

export const Creator = struct({ key: identity, share_ppm: ppm, role: label });

export const AiDisclosure = struct({
  digital_source_type: digitalSourceType,
  software_agent: skipNone(option(string)),
  human_contribution: skipNone(option(string)),
});

export const PAYLOADS = Object.freeze({
  'design.register': struct({
    content: ContentDescriptor,
    title: string,
    description: withDefault(string, () => ''),
    creators: list(Creator),
    parents: withDefault(list(ParentLink), none),
    ai: skipNone(option(AiDisclosure)),
    license_threshold_ppm: withDefault(ppm, () => 1_000_000),
  }),
  'license.grant': struct({ design: hex32, licensee: identity, terms: LicenseTerms }),
  'usage.record': struct({ grant: hex32, quantity: uint, territory: country, channel, category, batch_ref: string }),
  'ownership.transfer': struct({
    design: hex32,
    from: list(struct({ key: identity, share_ppm: ppm })),
    to: identity,
    prev: hex32,
  }),
  'license.revoke': struct({ grant: hex32, reason: string }),
  'dispute.raise': struct({ design: hex32, claim: string, evidence: hex32 }),
  'dispute.resolve': struct({
    dispute: hex32,
    outcome: oneOf('upheld', 'dismissed'),
    note: withDefault(string, () => ''),
  }),
  'key.rotate': struct({ old: identity, new: identity }),
  'state.commit': struct({ root: hex32, size: uint }),
});

export const SignatureLine = struct({ key: identity, sig: signature });

// --- the license check (crates/model/src/check.rs) ---

export const REASONS = Object.freeze([
  'unknown-design',
  'disputed',
  'ancestor-disputed',
  'no-grant',
  'revoked',
  'not-yet-valid',
  'expired',
  'territory',
  'channel',
  'category',
  'units-exceeded',
  'action-not-licensed',
]);

export const LicenseQuery = struct({
  design: hex32,
  licensee: identity,
  action: oneOf('commercial', 'non-commercial', 'derivative', 'ai-training'),
  territory: country,
  channel,
  category,
  date: timestamp,
  quantity: uint,
});

export const Blocked = struct({ design: hex32, dispute: hex32, raised: EntryRef, disputes: uint }, { deny: false });

/** `LicenseAnswer`'s members (flattened into a proven answer). */
export const LICENSE_ANSWER = {
  allowed: bool,
  reasons: list(oneOf(...REASONS)),
  grant: option(hex32),
  units_remaining: option(uint),
  blocked_by: option(Blocked),
  rests_on: list(EntryRef),
};

// --- designs (crates/api/src/design.rs) ---

/** `DesignSummary`'s members. */
export const DESIGN_SUMMARY = {
  id: hex32,
  parents: list(ParentLink),
  license_threshold_ppm: ppm,
  owners: list(Owner),
  registered: EntryRef,
  ownership: EntryRef,
  blocked_by: option(Blocked),
};

/** `DesignDetails`' members: what the registration said. */
export const DESIGN_DETAILS = {
  content: ContentDescriptor,
  title: string,
  description: string,
  creators: list(Creator),
  ai: option(AiDisclosure),
};

/** `NearDuplicate` (crates/model/src/iscc.rs): advisory, no proof covers it. */
export const NearDuplicate = struct({
  design: hex32,
  iscc: isccCode,
  distance: uint,
  registered: EntryRef,
  owners: list(Owner),
});

/** A list of near-duplicates, left out when empty. */
const nearDuplicates = skipNone(option(list(NearDuplicate)));

/** `DesignReport`'s own members besides the summary and details. */
export const DESIGN_REST = {
  children: list(hex32),
  grants: list(GrantState),
  history: list(uint),
  near_duplicates: nearDuplicates,
};

/** A design answer's members (`DesignReport`: the summary, the details and the rest, flattened). */
export const DESIGN_REPORT = { ...DESIGN_SUMMARY, ...DESIGN_DETAILS, ...DESIGN_REST };

// --- proofs (crates/api/src/proven.rs, state.rs) ---

const hashes = list(hex32);

export const EntryProof = struct({ index: uint, leaf_hash: hex32, inclusion_proof: hashes }, { deny: false });

export const StateKey = {
  design: struct({ kind: oneOf('design'), design: hex32 }),
  grant: struct({ kind: oneOf('grant'), grant: hex32 }),
  dispute: struct({ kind: oneOf('dispute'), dispute: hex32 }),
  key: struct({ kind: oneOf('key'), key: identity }),
  licensee: struct({ kind: oneOf('licensee'), design: hex32, licensee: identity }),
};

/** A state key: `{"kind", ...}`, internally tagged. */
export const stateKey = Object.freeze({
  read(v, p) {
    const kind = v !== null && typeof v === 'object' ? v.kind : undefined;
    const t = Object.hasOwn(StateKey, kind) ? StateKey[kind] : null;
    if (t === null) return oneOf(...Object.keys(StateKey)).read(kind, p ? `${p}.kind` : 'kind');
    return t.read(v, p);
  },
});

export const StateProof = struct({
  commit: struct({ entry: any, index: uint, inclusion_proof: hashes }),
  records: list(struct({ key: stateKey, record: option(any), proof: string })),
});

/** The members every proven answer adds to its own (`Proven<T>`). */
export const PROVEN = {
  tree_size: uint,
  checkpoint: string,
  proofs: list(EntryProof),
  state: withDefault(option(StateProof), () => null),
};

export const Identified = {
  blake3: hex32,
  sha256: hex32,
  size: uint,
  iscc: skipNone(option(isccCode)),
  near_duplicates: nearDuplicates,
  registered: bool,
};

export const InclusionAnswer = struct({ index: uint, tree_size: uint, inclusion_proof: hashes }, { deny: false });
export const ConsistencyAnswer = struct({ from: uint, to: uint, consistency_proof: hashes }, { deny: false });
export const EntryAnswer = struct({ index: uint, leaf_hash: hex32, entry: any }, { deny: false });

/** `Receipt` (crates/model/src/receipt.rs): the entry stays raw JSON. */
export const Receipt = struct({
  entry: any,
  index: uint,
  leaf_hash: hex32,
  inclusion_proof: hashes,
  checkpoint: string,
  near_duplicates: nearDuplicates,
});
