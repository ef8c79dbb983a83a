import { AppError } from '../errors.js';

/**
 * Citizen ID (CCCD) numbers: 12 digits — 3 for the province where the birth was registered,
 * 1 for sex and century, 2 for the year of birth, 6 random. Province codes are the official
 * list (Circular 07/2016/TT-BCA and later), so a typo in the first three digits is caught.
 */
const PROVINCES = new Set(
  '001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096'.split(
    ' ',
  ),
);

export const isCitizenId = (s: string): boolean => /^\d{12}$/.test(s) && PROVINCES.has(s.slice(0, 3));

export const requireCitizenId = (input: string, where: string): string => {
  const s = input.replace(/\s/g, '');
  if (!isCitizenId(s)) {
    throw new AppError('invalid_id_number', `${where}: a citizen ID (CCCD) number is 12 digits starting with a province code.`);
  }
  return s;
};
