import type { ActivityDay } from './build-dashboard.js';

export type ChartLang = 'vi' | 'en';

const WORDS = {
  vi: {
    title: 'Hoạt động ký 30 ngày qua',
    completed: 'Phong bì hoàn tất mỗi ngày',
    median: 'Thời gian hoàn tất (trung vị, giờ)',
    none: 'Chưa có phong bì nào hoàn tất trong 30 ngày qua.',
  },
  en: {
    title: 'Signing activity, last 30 days',
    completed: 'Envelopes completed per day',
    median: 'Time to complete (median, hours)',
    none: 'No envelope was completed in the last 30 days.',
  },
} as const;

const W = 640;
const LEFT = 36;
const RIGHT = 8;
const fmt = (n: number) => String(Math.round(n * 10) / 10);
/** dd/MM, as Vietnamese (and British) readers write dates. */
const shortDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;

/** One panel: a title, a max label, a baseline and one bar per day (no bar for a null). */
const panel = (
  days: readonly ActivityDay[],
  values: readonly (number | null)[],
  top: number,
  height: number,
  title: string,
  fill: string,
) => {
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const step = (W - LEFT - RIGHT) / days.length;
  const base = top + height;
  const out = [
    `<text x="${LEFT}" y="${top - 6}" class="t">${title}</text>`,
    `<text x="${LEFT - 4}" y="${top + 8}" class="a" text-anchor="end">${fmt(max)}</text>`,
    `<text x="${LEFT - 4}" y="${base}" class="a" text-anchor="end">0</text>`,
    `<line x1="${LEFT}" y1="${base}" x2="${W - RIGHT}" y2="${base}" stroke="#9aa4b2" stroke-width="1"/>`,
  ];
  values.forEach((v, i) => {
    if (v === null || v <= 0) return;
    const h = Math.max(1, (v / max) * height);
    const x = LEFT + i * step + step * 0.15;
    out.push(
      `<rect x="${fmt(x)}" y="${fmt(base - h)}" width="${fmt(step * 0.7)}" height="${fmt(h)}" fill="${fill}"><title>${days[i]?.date}: ${fmt(v)}</title></rect>`,
    );
  });
  return out;
};

/**
 * The console home's chart, drawn on the server as a self-contained SVG (no script, no external
 * resource, no user text: dates, numbers and our own labels only), so it can be shown as an
 * image (`data:` URL) and read by anyone the JSON goes to. Two panels over the same 30 days:
 * envelopes completed per day, and the median hours from sending to completion.
 */
export const activityChartSvg = (days: readonly ActivityDay[], lang: ChartLang): string => {
  const w = WORDS[lang];
  const H = 250;
  const completed = days.map((d) => d.completed);
  const medians = days.map((d) => d.medianHoursToComplete);
  const step = (W - LEFT - RIGHT) / Math.max(1, days.length);
  const labels = days
    .map((d, i) =>
      i % 5 === 4 || i === days.length - 1
        ? `<text x="${fmt(LEFT + (i + 0.5) * step)}" y="${H - 4}" class="a" text-anchor="middle">${shortDate(d.date)}</text>`
        : '',
    )
    .filter(Boolean);
  const empty = completed.every((n) => n === 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${w.title}">`,
    `<title>${w.title}</title>`,
    '<style>.t{font:600 12px sans-serif;fill:#1f2937}.a{font:10px sans-serif;fill:#4b5563}</style>',
    ...panel(days, completed, 22, 110, w.completed, '#1d4ed8'),
    ...panel(days, medians, 162, 60, w.median, '#b45309'),
    ...labels,
    empty ? `<text x="${W / 2}" y="90" class="a" text-anchor="middle">${w.none}</text>` : '',
    '</svg>',
  ].join('');
};
