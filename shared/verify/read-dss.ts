import { decodePDFRawStream, PDFArray, PDFDict, type PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';

export interface DssContents {
  readonly present: boolean;
  readonly certificates: Uint8Array[];
  readonly crls: Uint8Array[];
  readonly ocsps: Uint8Array[];
}

/** The Document Security Store (PAdES / ISO 32000-2 12.8.4.3): DER certificates, CRLs and OCSP responses as streams. */
export const readDss = (doc: PDFDocument): DssContents => {
  const dss = doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const streams = (key: string): Uint8Array[] => {
    const arr = dss?.lookupMaybe(PDFName.of(key), PDFArray);
    const out: Uint8Array[] = [];
    for (const item of arr?.asArray() ?? []) {
      const s = item instanceof PDFRef ? doc.context.lookup(item) : item;
      if (!(s instanceof PDFRawStream)) continue;
      try {
        out.push(decodePDFRawStream(s).decode());
      } catch {
        // an undecodable stream is not validation data
      }
    }
    return out;
  };
  return { present: !!dss, certificates: streams('Certs'), crls: streams('CRLs'), ocsps: streams('OCSPs') };
};
