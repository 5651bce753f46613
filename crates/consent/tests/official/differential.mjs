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
    g.setFieldValue('usnat', 'Gpc', random() < 0.5);
    expected.usnat = { sale_opt_out: sale, sharing_opt_out: sharing, precise_geolocation: sdp[7] };
  }
  for (const [index, name] of [[3, 'usva'], [4, 'usco']]) {
    if (!sections.includes(index)) continue;
    const sale = int(3);
    g.setFieldValue(name, 'SaleOptOut', sale);
    expected[name] = { sale_opt_out: sale };
  }
  expected.section_ids = g.getSectionIds().map(Number).sort((a, b) => a - b);
  expected.string = g.encode();
  return expected;
}

for (let i = 0; i < count; i++) {
  for (const make of [tcf, usp, gpp]) console.log(JSON.stringify(make()));
}
