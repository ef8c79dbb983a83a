import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { MAX_SIGNATURE_IMAGE_BYTES, readSignaturePng } from '../../../shared/pdf/signature-image.js';

/** A 2×1 RGBA PNG (IHDR, IDAT, IEND). */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGNgYGD4z8DAwMAAAAYAAaxEyHcAAAAASUVORK5CYII=';

const png = (width: number, height: number) => {
  const bytes = Buffer.from(TINY_PNG, 'base64');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return `data:image/png;base64,${bytes.toString('base64')}`;
};

describe('drawn signature images', () => {
  it('accepts a PNG data URL that pdf-lib can embed', async () => {
    const bytes = readSignaturePng(`data:image/png;base64,${TINY_PNG}`);
    const doc = await PDFDocument.create();
    const image = await doc.embedPng(bytes);
    expect([image.width, image.height]).toEqual([2, 1]);
  });

  it.each([
    ['not a data URL', 'https://example.com/x.png', 'validation_failed'],
    ['a JPEG data URL', 'data:image/jpeg;base64,/9j/4AAQ', 'validation_failed'],
    ['base64 that is not a PNG', `data:image/png;base64,${Buffer.from('GIF89a'.padEnd(40, 'x')).toString('base64')}`, 'validation_failed'],
    ['markup in the data', 'data:image/png;base64,<script>', 'validation_failed'],
    ['a huge canvas', png(5000, 100), 'validation_failed'],
    ['too many bytes', `data:image/png;base64,${Buffer.alloc(MAX_SIGNATURE_IMAGE_BYTES + 10).toString('base64')}`, 'payload_too_large'],
  ])('refuses %s', (_what, url, code) => {
    expect(() => readSignaturePng(url)).toThrow(expect.objectContaining({ code }));
  });
});
