/**
 * Names as people and OCR write them: case, spacing and diacritics vary ("NGUYỄN VĂN AN",
 * "Nguyen  Van An"), but every word must be there: "Nguyễn Văn An" is not "Nguyễn Văn Anh".
 */
export const foldName = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');

export const namesMatch = (a: string, b: string): boolean => foldName(a) !== '' && foldName(a) === foldName(b);
