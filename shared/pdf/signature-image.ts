import { AppError } from '../errors.js';

/** A finger drawing at phone resolution is tens of KB; anything far bigger is not a signature. */
export const MAX_SIGNATURE_IMAGE_BYTES = 200 * 1024;
export const MAX_SIGNATURE_IMAGE_SIDE = 2000;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes `data:image/png;base64,...` and checks it is a PNG of sane size before pdf-lib
 * parses it: magic bytes, an IHDR chunk first, width and height within bounds.
 */
export const readSignaturePng = (dataUrl: string): Uint8Array => {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!m?.[1]) throw new AppError('validation_failed', 'signature.image must be a data:image/png;base64 URL.');
  const bytes = new Uint8Array(Buffer.from(m[1], 'base64'));
  if (bytes.length > MAX_SIGNATURE_IMAGE_BYTES) {
    throw new AppError('payload_too_large', `signature.image is larger than ${MAX_SIGNATURE_IMAGE_BYTES / 1024} KB.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isPng =
    bytes.length > 33 && PNG_MAGIC.every((b, i) => bytes[i] === b) && Buffer.from(bytes.subarray(12, 16)).toString('latin1') === 'IHDR';
  if (!isPng) throw new AppError('validation_failed', 'signature.image is not a PNG image.');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width < 1 || height < 1 || width > MAX_SIGNATURE_IMAGE_SIDE || height > MAX_SIGNATURE_IMAGE_SIDE) {
    throw new AppError('validation_failed', `signature.image must be at most ${MAX_SIGNATURE_IMAGE_SIDE} px on each side.`);
  }
  return bytes;
};
