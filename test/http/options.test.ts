// The front door's options and the host names it derives from them.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config.ts';
import { hostnameOf, ownHostnames } from '../../src/http/hosts.ts';
import { serverOptions } from '../../src/http/limits.ts';

describe('front-door options', () => {
  it('--allow-origin and --allow-host add up when repeated, and combine with commas', () => {
    const c = parseConfig(['--allow-origin', 'http://a.example', '--allow-origin=http://b.example,http://c.example', '--allow-host', 'gw.test'], {});
    assert.equal(c.allowOrigin, 'http://a.example,http://b.example,http://c.example');
    assert.equal(c.allowHost, 'gw.test');
    assert.equal(parseConfig([], { GATEHOUSE_ALLOW_ORIGIN: 'http://env.example' }).allowOrigin, 'http://env.example');
  });

  it('the request timeout bounds headers too, and is checked often enough to hold', () => {
    const o = serverOptions({ requestTimeoutSeconds: 30 });
    assert.equal(o.requestTimeout, 30_000);
    assert.equal(o.headersTimeout, 30_000);
    assert.ok(o.connectionsCheckingInterval! <= 1000);
    assert.equal(serverOptions({ requestTimeoutSeconds: 0 }).requestTimeout, 0);
  });
});

describe('host names', () => {
  it('reads the name from a Host header: case, port, trailing dot, IPv6 brackets', () => {
    assert.equal(hostnameOf('LocalHost:4567'), 'localhost');
    assert.equal(hostnameOf('localhost.'), 'localhost');
    assert.equal(hostnameOf('[::1]:4567'), '[::1]');
    assert.equal(hostnameOf('evil.example:80:4567'), 'evil.example:80');
  });

  it('bound to one address: loopback names and that address; bound to all: this machine\'s names too', () => {
    const one = ownHostnames('192.0.2.7', []);
    assert.ok(one.has('192.0.2.7') && one.has('localhost') && one.has('[::1]'));
    assert.ok(!one.has(hostname().toLowerCase()) || hostname().toLowerCase() === 'localhost');
    const all = ownHostnames('0.0.0.0', ['Gw.Example:8080', '2001:db8::1']);
    assert.ok(all.has(hostname().toLowerCase()));
    assert.ok(all.has('gw.example'));
    assert.ok(all.has('[2001:db8::1]'));
    assert.ok(ownHostnames('::1', []).has('[::1]'));
  });
});
