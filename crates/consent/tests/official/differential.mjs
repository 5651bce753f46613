// Encodes random consent states with the official IAB libraries and prints one JSON line per
// string: the string, and the fields crowdlens must decode from it. Usage:
//   node differential.mjs COUNT SEED
import { TCModel, TCString } from '@iabtechlabtcf/core';
import { GppModel } from '@iabgpp/cmpapi';
import { syntheticGvl } from './gvl.mjs';

const count = Number(process.argv[2] ?? 1000);
let state = BigInt(process.argv[3] ?? 1);
// xorshift64*, so a seed reproduces a failing case exactly.
function random() {
  state ^= state >> 12n; state ^= (state << 25n) & 0xffffffffffffffffn; state ^= state >> 27n;
  return Number(((state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
}
const int = (n) => Math.floor(random() * n);
function subset(from, to, density) {
  const out = [];
  for (let i = from; i <= to; i++) if (random() < density) out.push(i);
  return out;
}
const maxVendor = 1000;
const gvl = syntheticGvl(maxVendor);
// Dense, sparse and clustered vendor sets, so both the bitfield and the range encodings occur.
function vendors() {
  switch (int(3)) {
    case 0: return subset(1, 1 + int(maxVendor), random());
    case 1: return subset(1, maxVendor, 0.01);
    default: { const a = 1 + int(maxVendor - 50); return subset(a, a + int(50), 0.95); }
  }
}
const bools = (n, ids) => Array.from({ length: n }, (_, i) => ids.includes(i + 1));

function tcf() {
  const m = new TCModel(gvl);
  m.cmpId = 2 + int(4000); m.cmpVersion = int(4000); m.consentScreen = int(60);
  m.publisherCountryCode = ['DE', 'FR', 'AA', 'GB'][int(4)];
  const sf = subset(1, 12, random()), purposes = subset(1, 24, random()), li = subset(2, 24, random() * 0.5)
    // TCF v2.2 forbids legitimate interest for purposes 1 and 3 to 6; the library drops them.
    .filter((p) => p < 3 || p > 6);
  const vc = vendors();
  m.specialFeatureOptins.set(sf); m.purposeConsents.set(purposes); m.purposeLegitimateInterests.set(li);
  m.vendorConsents.set(vc);
  return { kind: 'tcf', string: TCString.encode(m), special_feature_optins: sf, purposes_consent: purposes,
    purposes_legitimate_interest: li, vendor_consents: vc, cmp_id: m.cmpId };
}

function usp() {
  const flag = () => ['Y', 'N', '-'][int(3)];
  const g = new GppModel();
  const [notice, sale, lspa] = [flag(), flag(), flag()];
  g.setFieldValue('uspv1', 'Notice', notice); g.setFieldValue('uspv1', 'OptOutSale', sale);
  g.setFieldValue('uspv1', 'LspaCovered', lspa);
  // The uspv1 section of a GPP string is the US Privacy string itself.
  return { kind: 'usp', string: g.encodeSection('uspv1'), notice, opt_out_sale: sale, lspa_covered: lspa };
}

// The state sections besides usva and usco: the length of their SensitiveDataProcessing list,
// which item is precise geolocation (1-based, from the state specifications), and whether they
// carry a sharing opt-out and a GPC segment.
const STATES = [
  { name: 'usca', sensitive: 9, geo: 3, sharing: true, gpc: true },
  { name: 'usut', sensitive: 8, geo: 8 },
  { name: 'usct', sensitive: 8, geo: 8, gpc: true },
  { name: 'usfl', sensitive: 8, geo: 8 },
  { name: 'usmt', sensitive: 8, geo: 8, gpc: true },
  { name: 'usor', sensitive: 11, geo: 11, gpc: true },
  { name: 'ustx', sensitive: 8, geo: 8, gpc: true },
  { name: 'usde', sensitive: 9, geo: 8, gpc: true },
  { name: 'usia', sensitive: 8, geo: 8, gpc: true },
  { name: 'usne', sensitive: 8, geo: 8, gpc: true },
  { name: 'usnh', sensitive: 8, geo: 8, gpc: true },
  { name: 'usnj', sensitive: 10, geo: 8, gpc: true },
  { name: 'ustn', sensitive: 8, geo: 8, gpc: true },
  { name: 'usmn', sensitive: 8, geo: 8, gpc: true },
  { name: 'usmd', gpc: true },
  { name: 'usin', sensitive: 8, geo: 8, separateSensitive: true },
  { name: 'usky', sensitive: 8, geo: 8, separateSensitive: true },
  { name: 'usri', sensitive: 8, geo: 8, separateSensitive: true },
];

function gpp() {
  const g = new GppModel();
  const expected = { kind: 'gpp', sections: [] };
  // Sections tcfeuv2 (2), uspv1 (6), usnat (7), usva (9), usco (10): random subsets give
  // headers with single ids and groups at various offsets.
  const sections = subset(0, 4, 0.5);
  if (sections.length === 0) sections.push(int(5));
  if (sections.includes(0)) {
    const sf = subset(1, 12, random()), purposes = subset(1, 24, random()), vc = vendors();
    g.setFieldValue('tcfeuv2', 'CmpId', 1 + int(4000));
    g.setFieldValue('tcfeuv2', 'SpecialFeatureOptins', bools(12, sf));
    g.setFieldValue('tcfeuv2', 'PurposeConsents', bools(24, purposes));
    g.setFieldValue('tcfeuv2', 'VendorConsents', vc);
    expected.tcfeuv2 = { special_feature_optins: sf, purposes_consent: purposes, vendor_consents: vc };
  }
  if (sections.includes(1)) {
    const sale = ['Y', 'N', '-'][int(3)];
    g.setFieldValue('uspv1', 'Notice', 'Y'); g.setFieldValue('uspv1', 'OptOutSale', sale);
    g.setFieldValue('uspv1', 'LspaCovered', 'N');
    expected.uspv1 = { opt_out_sale: sale };
  }
  if (sections.includes(2)) {
    const sale = int(3), sharing = int(3), sdp = Array.from({ length: 16 }, () => int(3));
    g.setFieldValue('usnat', 'SaleOptOut', sale); g.setFieldValue('usnat', 'SharingOptOut', sharing);
    g.setFieldValue('usnat', 'SensitiveDataProcessing', sdp);
    const gpc = random() < 0.5;
    g.setFieldValue('usnat', 'Gpc', gpc);
    expected.usnat = { sale_opt_out: sale, sharing_opt_out: sharing, precise_geolocation: sdp[7], gpc };
  }
  for (const [index, name] of [[3, 'usva'], [4, 'usco']]) {
    if (!sections.includes(index)) continue;
    const sale = int(3);
    g.setFieldValue(name, 'SaleOptOut', sale);
    expected[name] = { sale_opt_out: sale };
  }
  // Half the strings also carry a few of the other state sections, with every field the
  // policy reads random, including the codes 0 and the GPC flag.
  if (random() < 0.5) {
    for (const state of STATES) {
      if (random() > 0.15) continue;
      const sale = int(3);
      g.setFieldValue(state.name, 'SaleOptOut', sale);
      const want = { sale_opt_out: sale };
      if (state.sharing) {
        want.sharing_opt_out = int(3);
        g.setFieldValue(state.name, 'SharingOptOut', want.sharing_opt_out);
      }
      if (state.sensitive) {
        const sdp = Array.from({ length: state.sensitive }, () => int(3));
        const included = !state.separateSensitive || random() < 0.7;
        if (state.separateSensitive) g.setFieldValue(state.name, 'SensitiveDataConsentSegmentIncluded', included);
        g.setFieldValue(state.name, 'SensitiveDataProcessing', sdp);
        // An absent segment reads as "not applicable".
        if (state.geo) want.precise_geolocation = included ? sdp[state.geo - 1] : 0;
      }
      if (state.gpc) {
        want.gpc = random() < 0.5;
        g.setFieldValue(state.name, 'Gpc', want.gpc);
      }
      expected[state.name] = want;
    }
  }
  expected.section_ids = g.getSectionIds().map(Number).sort((a, b) => a - b);
  expected.string = g.encode();
  return expected;
}

for (let i = 0; i < count; i++) {
  for (const make of [tcf, usp, gpp]) console.log(JSON.stringify(make()));
}
