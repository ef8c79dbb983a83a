import { describe, expect, it } from 'vitest';
import { httpCrlFetcher, isPrivateAddress } from '../../../functions/net/http-crl-fetcher.js';

describe('httpCrlFetcher', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['203.113.131.1', false],
    ['2001:db8::1', false],
  ])('%s is private: %s', (ip, expected) => expect(isPrivateAddress(ip)).toBe(expected));

  it('refuses non-http URLs and internal hosts without connecting', async () => {
    const fetchCrl = httpCrlFetcher();
    expect(await fetchCrl('file:///etc/passwd')).toBeUndefined();
    expect(await fetchCrl('ldap://ca.example/cn=crl')).toBeUndefined();
    expect(await fetchCrl('http://169.254.169.254/latest/meta-data/')).toBeUndefined();
    expect(await fetchCrl('http://localhost:1/crl')).toBeUndefined();
    expect(await fetchCrl('not a url')).toBeUndefined();
  });
});
