import type { PDFDocument } from 'pdf-lib';
import { AppError } from '../errors.js';

/** PDF's own limit on a page side (ISO 32000 Annex C: 14 400 units). */
const MAX_SIDE = 14_400;

/**
 * Checks every page dictionary of an upload before anything reads it: a usable /MediaBox
 * (own or inherited; four numbers, positive size within PDF's limits) and a /Rotate that is a
 * multiple of 90. pdf-lib throws a TypeError on a missing /MediaBox or a /Rotate /Ninety;
 * here they are a 422 invalid_pdf naming the page.
 */
export const checkPages = (doc: PDFDocument): void => {
  let pages: ReturnType<PDFDocument['getPages']>;
  try {
    pages = doc.getPages();
  } catch {
    throw new AppError('invalid_pdf', 'The PDF page tree is malformed.');
  }
  pages.forEach((page, i) => {
    const bad = (why: string) => new AppError('invalid_pdf', `Page ${i + 1}: ${why}.`);
    let box: { x: number; y: number; width: number; height: number };
    try {
      box = page.getMediaBox();
    } catch {
      throw bad('no valid /MediaBox');
    }
    const numbers = [box.x, box.y, box.width, box.height];
    if (!numbers.every(Number.isFinite) || box.width <= 0 || box.height <= 0 || box.width > MAX_SIDE || box.height > MAX_SIDE) {
      throw bad('the /MediaBox is empty or larger than PDF allows');
    }
    let angle: number;
    try {
      angle = page.getRotation().angle;
    } catch {
      throw bad('/Rotate must be a number');
    }
    if (!Number.isInteger(angle) || angle % 90 !== 0) throw bad('/Rotate must be a multiple of 90');
  });
};
