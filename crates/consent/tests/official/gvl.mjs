// A vendor list with enough vendors and purposes for encoding. @iabtechlabtcf/core refuses to
// encode without a GVL; the values it takes from it (version, policy version) are fixed here.
import { GVL } from '@iabtechlabtcf/core';

export function syntheticGvl(maxVendor = 1000) {
  const vendors = {};
  for (let i = 1; i <= maxVendor; i++) {
    vendors[i] = { id: i, name: `vendor ${i}`, purposes: [1], legIntPurposes: [], flexiblePurposes: [],
      specialPurposes: [], features: [], specialFeatures: [] };
  }
  const purposes = {};
  for (let i = 1; i <= 11; i++) purposes[i] = { id: i, name: `purpose ${i}`, description: '' };
  const specialFeatures = { 1: { id: 1, name: 'precise geolocation', description: '' }, 2: { id: 2, name: 'device scan', description: '' } };
  return new GVL({ gvlSpecificationVersion: 3, vendorListVersion: 150, tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z', purposes, specialPurposes: {}, features: {}, specialFeatures,
    vendors, stacks: {}, dataCategories: {} });
}
