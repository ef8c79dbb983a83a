import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Reads every signature dictionary's ByteRange and Contents straight from the bytes (independently of our writer). */
export const extractSignatures = (pdf: Uint8Array) => {
  const text = Buffer.from(pdf).toString('latin1');
  const out: { byteRange: number[]; cms: Uint8Array; subFilter: string | undefined; dict: string }[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const byteRange = [m[1], m[2], m[3], m[4]].map(Number);
    const start = byteRange[1] as number;
    const end = byteRange[2] as number;
    const hex = text.slice(start + 1, end - 1);
    const dictStart = text.lastIndexOf('obj', m.index);
    const dictEnd = text.indexOf('endobj', m.index);
    const dict = text.slice(dictStart, dictEnd);
    const cmsLength = derLength(Buffer.from(hex.slice(0, 16), 'hex'));
    out.push({
      byteRange,
      cms: new Uint8Array(Buffer.from(hex.slice(0, cmsLength * 2), 'hex')),
      subFilter: /\/SubFilter\s*\/(\S+?)[\s/>]/.exec(dict)?.[1],
      dict,
    });
  }
  return out;
};

const derLength = (head: Buffer): number => {
  const first = head[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (head[2 + i] ?? 0);
  return 2 + n + len;
};

export const parseSignedData = (cms: Uint8Array): pkijs.SignedData => {
  const ci = pkijs.ContentInfo.fromBER(cms.buffer.slice(cms.byteOffset, cms.byteOffset + cms.byteLength) as ArrayBuffer);
  return new pkijs.SignedData({ schema: ci.content });
};

export const signedAttributeOids = (sd: pkijs.SignedData): string[] => sd.signerInfos[0]?.signedAttrs?.attributes.map((a) => a.type) ?? [];

export const attributeValue = (sd: pkijs.SignedData, oid: string): asn1js.AsnType | undefined =>
  sd.signerInfos[0]?.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
