import { describe, expect, it } from 'vitest';
import { httpCrlFetcher } from '../../../functions/net/http-crl-fetcher.js';

describe('httpCrlFetcher (through the guarded fetch)', () => {
  it('refuses non-http URLs and internal hosts without connecting', async () => {
    const resolved: string[] = [];
    const fetchCrl = httpCrlFetcher({
      resolve: async (name) => {
        resolved.push(name);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(await fetchCrl('file:///etc/passwd')).toBeUndefined();
    expect(await fetchCrl('ldap://ca.example/cn=crl')).toBeUndefined();
    expect(await fetchCrl('http://169.254.169.254/latest/meta-data/')).toBeUndefined();
    expect(await fetchCrl('http://[::ffff:a9fe:a9fe]/crl')).toBeUndefined();
    expect(await fetchCrl('http://localhost:1/crl')).toBeUndefined();
    expect(await fetchCrl('not a url')).toBeUndefined();
    // A public-looking name that resolves to loopback is refused at connect time.
    expect(await fetchCrl('http://crl.rebind.vn:1/ca.crl')).toBeUndefined();
    expect(resolved).toEqual(['crl.rebind.vn']);
  });
});
