import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An eKYC vendor stand-in on 127.0.0.1 speaking the FPT.AI-style REST API the adapter uses
 * (`/vision/idr/vnm`, `/dmp/checkface/v1`, header `api-key`, multipart uploads). Its "OCR"
 * reads test images that are UTF-8 text (see `ekycImages`), so each test picks its outcome:
 * match, a different person (face or name or ID number), fraud suspected (tampered card, a
 * selfie that is a photo of a card), unavailable (HTTP 503), unreadable card.
 */
export interface PersonOnCard {
  id: string;
  name: string;
  /** YYYY-MM-DD */
  dob: string;
}

export const ekycImages = (
  person: PersonOnCard,
  outcome: 'match' | 'other-face' | 'tampered' | 'card-as-selfie' | 'outage' | 'unreadable' = 'match',
) => {
  const [y, m, d] = person.dob.split('-');
  const enc = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    front: enc(
      outcome === 'unreadable'
        ? 'a blurry photo of a table, no card in it'
        : `FRONT|${person.id}|${person.name}|${d}/${m}/${y}${outcome === 'tampered' ? '|tampered' : ''}${outcome === 'outage' ? '|outage' : ''}`,
    ),
    back: enc(`BACK|${person.id}`),
    selfie: enc(`SELFIE|${outcome === 'other-face' ? 'someone-else' : person.id}${outcome === 'card-as-selfie' ? '|card' : ''}`),
  };
};

const readForm = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const request = new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type']) },
    body: Buffer.concat(chunks),
  });
  return request.formData();
};

export const startEkycTestServer = async (options: { apiKey?: string } = {}) => {
  const apiKey = options.apiKey ?? randomBytes(10).toString('hex');
  const calls: string[] = [];
  const server = createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    calls.push(String(req.url));
    if (req.headers['api-key'] !== apiKey) return json(401, { errorCode: 7, errorMessage: 'Invalid API key' });
    let form: FormData;
    try {
      form = await readForm(req);
    } catch {
      return json(400, { errorCode: 2, errorMessage: 'Invalid parameters or values' });
    }
    const text = async (v: FormDataEntryValue | null | undefined) =>
      v instanceof Blob ? Buffer.from(await v.arrayBuffer()).toString('utf8') : '';
    const requestId = randomBytes(8).toString('hex');
    if (req.url === '/vision/idr/vnm') {
      const parts = (await text(form.get('image'))).split('|');
      if (parts.includes('outage')) return json(503, { errorCode: 99, errorMessage: 'Service unavailable' });
      if (parts[0] === 'FRONT') {
        const [, id, name, dob] = parts;
        return json(200, {
          errorCode: 0,
          errorMessage: '',
          request_id: requestId,
          data: [
            { id, name: name?.toUpperCase(), dob, type: 'chip_front', tampering: { is_legal: parts.includes('tampered') ? 'no' : 'yes' } },
          ],
        });
      }
      if (parts[0] === 'BACK')
        return json(200, { errorCode: 0, errorMessage: '', data: [{ id: parts[1], type: 'chip_back', tampering: { is_legal: 'yes' } }] });
      return json(200, { errorCode: 3, errorMessage: 'Unable to find ID card in the image', data: [] });
    }
    if (req.url === '/dmp/checkface/v1') {
      const [selfie, front] = await Promise.all(form.getAll('file[]').map(text));
      const s = (selfie ?? '').split('|');
      const f = (front ?? '').split('|');
      const same = s[0] === 'SELFIE' && s[1] === f[1];
      return json(200, {
        code: '200',
        message: 'request successful',
        request_id: requestId,
        data: { isMatch: same, similarity: same ? 97.52 : 21.3, isBothImgIDCard: s.includes('card') },
      });
    }
    json(404, { errorCode: 404, errorMessage: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
