import type fontkitModule from '@pdf-lib/fontkit';

type Fontkit = typeof fontkitModule;

let loading: Promise<Fontkit> | undefined;
let loaded: Fontkit | undefined;

/**
 * fontkit is imported on first use, not when the API starts (issue 16, Lambda cold start):
 * evaluating it builds a Brotli dictionary and Unicode tables (~0.9 MB of the bundle), which
 * only drawing (appearances with characters outside the fixed font, templates, reports,
 * certificates of completion) needs. esbuild keeps the module in the one bundle file.
 */
export const loadFontkit = (): Promise<Fontkit> => {
  loading ??= import('@pdf-lib/fontkit').then((m) => {
    loaded = (m as unknown as { default?: Fontkit }).default ?? (m as unknown as Fontkit);
    return loaded;
  });
  return loading;
};

/** fontkit for synchronous code that runs after an awaited loadFontkit() (template layout). */
export const loadedFontkit = (): Fontkit => {
  if (!loaded) throw new Error('fontkit is not loaded yet: await loadFontkit() first');
  return loaded;
};
