import type { CreateEnvelopeInput } from '../envelope/create-envelope.js';
import { AppError } from '../errors.js';
import type { Measure } from './fonts.js';
import { locateText, type TextLine } from './render-html.js';
import { isAnchored, type TemplateField } from './types.js';

type EnvelopeField = CreateEnvelopeInput['fields'][number];

/**
 * Turns a template's field layout into envelope fields on its one document. Anchored fields
 * are placed where the renderer drew their anchor text in this very rendering, so they
 * follow the text when merge values make a paragraph longer or push it to the next page.
 */
export const resolveFields = (
  fields: readonly TemplateField[],
  rendered: { readonly lines: readonly TextLine[]; readonly pageSize: { readonly width: number }; readonly measure?: Measure } | undefined,
): EnvelopeField[] =>
  fields.map((f, i) => {
    const common = {
      recipient: f.recipient,
      document: 0,
      type: f.type,
      width: f.width,
      height: f.height,
      ...(f.required !== undefined ? { required: f.required } : {}),
      ...(f.label ? { label: f.label } : {}),
    };
    if (!isAnchored(f)) return { ...common, page: f.page, x: f.x, y: f.y };
    if (!rendered) throw new AppError('validation_failed', `fields[${i}]: anchors work only in HTML templates; give page, x and y.`);
    const box = locateText(rendered.lines, f.anchor, f.occurrence ?? 1, rendered.measure);
    if (!box) {
      throw new AppError('anchor_not_found', `fields[${i}]: the anchor text "${f.anchor}" is not in the rendered document.`, {
        field: i,
        anchor: f.anchor,
      });
    }
    const left = (f.align ?? 'center') === 'center' ? box.x + box.width / 2 - f.width / 2 : box.x;
    const x = Math.min(Math.max(0, left + (f.offsetX ?? 0)), rendered.pageSize.width - f.width);
    return { ...common, page: box.page, x: round(x), y: round(box.y + box.height + (f.offsetY ?? 2)) };
  });

const round = (n: number) => Math.round(n * 100) / 100;
