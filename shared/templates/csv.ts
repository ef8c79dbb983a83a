import { AppError } from '../errors.js';

export interface CsvRecord {
  /** 1-based physical line where the record starts (a quoted field may span lines). */
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * RFC 4180 CSV: quoted fields may hold the delimiter, `""` and line breaks; CRLF, LF or CR
 * end a record; a UTF-8 BOM is dropped; blank lines are skipped. The delimiter is `,`
 * unless the header line has more `;` (what Excel writes in locales with a decimal comma,
 * Vietnamese among them). A quote inside an unquoted field is kept as text, like Excel does.
 */
export const parseCsv = (input: string, options: { delimiter?: ',' | ';' } = {}): CsvRecord[] => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field started with a quote
  let wasQuotedRecord = false; // so that a lone "" line is a record, not a blank line
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '' && !wasQuotedRecord)) records.push({ line: recordLine, fields });
    fields = [];
    wasQuotedRecord = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      wasQuotedRecord = true;
      i++;
      continue;
    }
    if (ch === delimiter) {
      endField();
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += ch;
    i++;
  }
  if (quoted) throw new AppError('validation_failed', `CSV: the quoted field starting on line ${recordLine} is never closed.`);
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return records;
};

const detectDelimiter = (text: string): ',' | ';' => {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
};
