// Prints the consent strings the synthetic bidstream uses, each encoded by the official IAB
// library, with the verdict it is built to get. Output is pasted into crates/synth/src/bids.rs.
import { TCModel, TCString } from '@iabtechlabtcf/core';
import { GppModel } from '@iabgpp/cmpapi';
import { syntheticGvl } from './gvl.mjs';

const gvl = syntheticGvl();
function tc({ geo, purposes }) {
  const m = new TCModel(gvl);
  m.cmpId = 31; m.cmpVersion = 5; m.consentScreen = 1; m.publisherCountryCode = 'DE';
  if (geo) m.specialFeatureOptins.set(1);
  m.purposeConsents.set(purposes);
  m.vendorConsents.set([3, 57, 755]);
  return TCString.encode(m, { isForVendors: false });
}
function usnat({ sale, sharing, geo }) {
  const g = new GppModel();
  g.setFieldValue('usnat', 'SaleOptOutNotice', 1);
  g.setFieldValue('usnat', 'SharingOptOutNotice', 1);
  g.setFieldValue('usnat', 'SaleOptOut', sale);
  g.setFieldValue('usnat', 'SharingOptOut', sharing);
  const sdp = new Array(16).fill(0); sdp[7] = geo;
  g.setFieldValue('usnat', 'SensitiveDataProcessing', sdp);
  return g.encode();
}
function gppUsp(value) {
  const g = new GppModel();
  g.setFieldValue('uspv1', 'Notice', 'Y');
  g.setFieldValue('uspv1', 'OptOutSale', value);
  g.setFieldValue('uspv1', 'LspaCovered', 'N');
  return g.encode();
}
function gppTcf({ geo, purposes }) {
  const g = new GppModel();
  g.setFieldValue('tcfeuv2', 'SpecialFeatureOptins', Array.from({ length: 12 }, (_, i) => i === 0 && geo));
  g.setFieldValue('tcfeuv2', 'PurposeConsents', Array.from({ length: 24 }, (_, i) => purposes.includes(i + 1)));
  return g.encode();
}
const out = {
  TC_ADMIT: tc({ geo: true, purposes: [1, 9, 10] }),
  TC_NO_GEO: tc({ geo: false, purposes: [1, 9, 10] }),
  TC_NO_PURPOSE_9: tc({ geo: true, purposes: [1, 2, 3, 4] }),
  GPP_USNAT_ADMIT: usnat({ sale: 2, sharing: 2, geo: 2 }),
  GPP_USNAT_SALE_OPT_OUT: usnat({ sale: 1, sharing: 2, geo: 2 }),
  GPP_USNAT_SHARING_OPT_OUT: usnat({ sale: 2, sharing: 1, geo: 2 }),
  GPP_USNAT_NO_GEO: usnat({ sale: 2, sharing: 2, geo: 1 }),
  GPP_USPV1_OPT_OUT: gppUsp('Y'),
  GPP_USPV1_ADMIT: gppUsp('N'),
  GPP_TCF_ADMIT: gppTcf({ geo: true, purposes: [1, 9] }),
  GPP_TCF_NO_GEO: gppTcf({ geo: false, purposes: [1, 9] }),
};
for (const [k, v] of Object.entries(out)) console.log(`${k} ${v}`);
