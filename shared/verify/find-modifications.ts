import { PDFArray, PDFDict, type PDFDocument, PDFName, type PDFObject, PDFRef, PDFStream } from 'pdf-lib';
import { objectBytes } from '../pdf/incremental-update.js';
import type { RevisionView } from './read-revision.js';

export interface Modifications {
  readonly allowed: string[];
  readonly disallowed: string[];
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
const same = (a: PDFObject | undefined, b: PDFObject | undefined) =>
  a === undefined || b === undefined ? a === b : bytesEqual(objectBytes(a), objectBytes(b));
const dictOf = (o: PDFObject | undefined): PDFDict | undefined => (o instanceof PDFDict ? o : o instanceof PDFStream ? o.dict : undefined);
const name = (d: PDFDict | undefined, key: string) => {
  const v = d?.get(PDFName.of(key));
  return v instanceof PDFName ? v.decodeText() : undefined;
};

/** Every indirect reference reachable from `roots` (bounded walk). */
const reachable = (doc: PDFDocument, roots: readonly PDFObject[], stopAt: ReadonlySet<PDFRef> = new Set()): Set<PDFRef> => {
  const seen = new Set<PDFRef>();
  const stack = [...roots];
  while (stack.length && seen.size < 50_000) {
    const o = stack.pop();
    if (o instanceof PDFRef) {
      if (seen.has(o) || stopAt.has(o)) continue;
      seen.add(o);
      const target = doc.context.lookup(o);
      if (target) stack.push(target);
    } else if (o instanceof PDFArray) stack.push(...o.asArray());
    else if (o instanceof PDFDict) stack.push(...o.values());
    else if (o instanceof PDFStream) stack.push(...o.dict.values());
  }
  return seen;
};

/** Keys of two dictionaries whose values differ, ignoring `except`. */
const changedKeys = (a: PDFDict, b: PDFDict, except: readonly string[]): string[] => {
  const keys = new Set([...a.keys(), ...b.keys()].map((k) => k.decodeText()));
  return [...keys].filter((k) => !except.includes(k) && !same(a.get(PDFName.of(k)), b.get(PDFName.of(k))));
};

/**
 * Compares the objects of a signed revision (`before`) with the whole file (`current`).
 * Later changes are allowed only for form filling and signing: widget annotations and form
 * fields, the AcroForm, the DSS, catalog keys AcroForm/DSS/Perms, page /Annots, new
 * signature dictionaries, appearance streams and their fonts. Anything else (page content,
 * pages added or removed, other annotations, other objects) is disallowed.
 * What the current file references is worked out once; the returned function judges one revision.
 */
export const createModificationFinder = (
  current: PDFDocument,
  /** The current objects to judge for a view (verification's fast path); default: every object of `current`. */
  objectsFor?: (view: RevisionView) => [PDFRef, PDFObject][],
): ((before: RevisionView) => Modifications) => {
  const rootNow = current.context.trailerInfo.Root;
  const pagesNow = current.getPages();
  const pageIndex = new Map(pagesNow.map((p, i) => [p.ref.objectNumber, i + 1]));
  const catalog = current.catalog;
  const form = catalog.get(PDFName.of('AcroForm'));
  const dss = catalog.get(PDFName.of('DSS'));
  const perms = catalog.get(PDFName.of('Perms'));
  const containers = new Set<PDFRef>();
  const appearance: PDFObject[] = [];
  for (const page of pagesNow) {
    const annots = page.node.get(PDFName.of('Annots'));
    if (annots instanceof PDFRef) containers.add(annots);
    for (const a of page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.asArray() ?? []) {
      const ad = dictOf(a instanceof PDFRef ? current.context.lookup(a) : a);
      if (name(ad, 'Subtype') === 'Widget') {
        appearance.push(...[ad?.get(PDFName.of('AP')), ad?.get(PDFName.of('MK'))].filter((x): x is PDFObject => !!x));
      }
    }
  }
  const formDict = dictOf(form instanceof PDFRef ? current.context.lookup(form) : form);
  const fields = formDict?.get(PDFName.of('Fields'));
  if (fields instanceof PDFRef) containers.add(fields);
  if (formDict?.get(PDFName.of('DR'))) appearance.push(formDict.get(PDFName.of('DR')) as PDFObject);
  const pageRefs = new Set(pagesNow.map((p) => p.ref));
  const appearanceRefs = reachable(current, appearance, pageRefs);
  const dssRefs = reachable(current, dss ? [dss] : []);
  const permRefs = reachable(current, perms ? [perms] : []);
  const objects = objectsFor ? undefined : current.context.enumerateIndirectObjects();

  return (view) => {
    const allowed = new Map<string, number>();
    const disallowed: string[] = [];
    const allow = (what: string) => allowed.set(what, (allowed.get(what) ?? 0) + 1);
    if (!(rootNow instanceof PDFRef) || (view.rootObjectNumber !== undefined && view.rootObjectNumber !== rootNow.objectNumber)) {
      disallowed.push('the document catalog was replaced');
    }
    for (const [ref, obj] of objects ?? objectsFor?.(view) ?? []) {
      if (view.candidates && !view.candidates.has(ref.objectNumber)) continue;
      const before = view.lookup(ref);
      const isNew = before === undefined;
      if (!isNew && same(before, obj)) continue;
      const d = dictOf(obj);
      const type = name(d, 'Type');
      const subtype = name(d, 'Subtype');
      const label = `object ${ref.objectNumber}${type ? ` (${type})` : ''}`;
      if (ref === rootNow && d && !isNew) {
        const keys = changedKeys(dictOf(before) as PDFDict, d, ['AcroForm', 'DSS', 'Perms']);
        if (keys.length) disallowed.push(`document catalog: /${keys.join(', /')} changed`);
        else allow('document catalog (AcroForm/DSS)');
      } else if (type === 'Page') {
        const keys = isNew ? ['(new page)'] : changedKeys(dictOf(before) as PDFDict, d as PDFDict, ['Annots']);
        if (keys.length) {
          disallowed.push(
            `page ${pageIndex.get(ref.objectNumber) ?? '?'}: ${keys.map((k) => (k.startsWith('(') ? k : `/${k}`)).join(', ')}`,
          );
        } else allow('page annotations list');
      } else if (type === 'Pages') {
        const count = (o: PDFObject | undefined) => dictOf(o)?.get(PDFName.of('Count'))?.toString() ?? '?';
        disallowed.push(`pages added, removed or reordered (${isNew ? '?' : count(before)} → ${count(obj)})`);
      } else if (type === 'Sig' || type === 'DocTimeStamp' || (d?.get(PDFName.of('ByteRange')) && d?.get(PDFName.of('Contents')))) {
        allow('signature dictionary');
      } else if (type === 'Annot' || subtype === 'Widget') {
        if (subtype === 'Widget') allow('form field widget');
        else disallowed.push(`annotation ${subtype ?? ''} ${isNew ? 'added' : 'changed'} (${label})`);
      } else if (d?.get(PDFName.of('FT')) || d?.get(PDFName.of('Kids')) || d?.get(PDFName.of('Parent'))) allow('form field');
      else if (ref === form) allow('AcroForm');
      else if (ref === dss || dssRefs.has(ref)) allow('DSS (validation data)');
      else if (permRefs.has(ref) || type === 'SigRef' || type === 'TransformParams') allow('signature permissions');
      else if (containers.has(ref)) allow('annotation or field list');
      else if (appearanceRefs.has(ref)) allow('appearance stream or font');
      // A new object matters only through what references it, and every changed referrer is judged here.
      else if (isNew) allow('other new object');
      else if (ref === current.context.trailerInfo.Info) disallowed.push('document information dictionary changed');
      else disallowed.push(`${label} changed`);
    }
    return { allowed: [...allowed].map(([what, n]) => `${what} ×${n}`), disallowed };
  };
};

/** The view of a fully parsed earlier revision (the slow, general path). */
export const parsedRevisionView = (signed: PDFDocument): RevisionView => {
  const root = signed.context.trailerInfo.Root;
  return { lookup: (ref) => signed.context.lookup(ref), ...(root instanceof PDFRef ? { rootObjectNumber: root.objectNumber } : {}) };
};
