import { AppError } from '../../shared/errors.js';

/** The request body as JSON; an empty body is `{}` (actions whose fields are all optional), anything unparsable a 400. */
export const jsonBody = async (req: Request): Promise<unknown> => {
  const text = await req.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
};
