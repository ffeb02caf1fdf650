// Unit tests of the gateway-response module: the effective-response rule, compilation, the
// non-Velocity templates and the renderer. End-to-end behaviour through a deployed stage is in
// test/execute/gateway-response.test.ts; the management API in test/control/gateway-responses.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayResponse } from '../model/generated/types.ts';
import {
  compileGatewayResponses, compileParameterSource, DEFAULT_GATEWAY_RESPONSES, effectiveGatewayResponse, effectiveResponse, errorStatus,
  GATEWAY_RESPONSE_DEFAULTS, GATEWAY_RESPONSE_TYPES, GatewayResponseTemplate, parameterTarget, renderGatewayResponse, type RequestValues,
  type ResponseInput,
} from './index.ts';

const request: RequestValues = {
  headers: { accept: 'application/xml, application/json', origin: 'https://app.example', 'x-many': 'a,b' },
  querystring: { q: 'last' },
  multiValueQuerystring: { q: ['first', 'last'] },
  path: { petId: '7' },
};

function input(over: Partial<ResponseInput> = {}): ResponseInput {
  return {
    request,
    stageVariables: { origin: 'https://stage.example' },
    context: { stage: 'prod', error: { message: 'Missing Authentication Token', messageString: '"Missing Authentication Token"', responseType: 'MISSING_AUTHENTICATION_TOKEN' } },
    ...over,
  };
}

describe('response types', () => {
  it('covers the service model enum, each 4xx/5xx type under its fallback', () => {
    assert.equal(GATEWAY_RESPONSE_TYPES.length, 21);
    for (const t of GATEWAY_RESPONSE_TYPES) {
      const d = GATEWAY_RESPONSE_DEFAULTS[t];
      if (t === 'DEFAULT_4XX' || t === 'DEFAULT_5XX') assert.deepEqual([d.statusCode, d.parent], [null, null]);
      else assert.equal(d.parent, d.statusCode! >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX', t);
    }
    assert.deepEqual([errorStatus('DEFAULT_4XX'), errorStatus('DEFAULT_5XX'), errorStatus('INTEGRATION_TIMEOUT')], [400, 500, 504]);
  });
});

describe('effective response', () => {
  const d4: GatewayResponse = { responseType: 'DEFAULT_4XX', statusCode: '418', responseParameters: { 'gatewayresponse.header.a': "'b'" }, responseTemplates: {} };
  const own: GatewayResponse = { responseType: 'ACCESS_DENIED', responseParameters: {}, responseTemplates: { 'text/plain': 'no' } };

  it('is the type’s own customization, else its fallback’s, else AWS’s default', () => {
    assert.deepEqual(effectiveGatewayResponse('RESOURCE_NOT_FOUND', [d4, own]), {
      responseType: 'RESOURCE_NOT_FOUND', statusCode: '418', responseParameters: { 'gatewayresponse.header.a': "'b'" }, responseTemplates: {}, defaultResponse: true,
    });
    // Customized without a status: its built-in one in the management view, none chosen for execution.
    assert.deepEqual(effectiveGatewayResponse('ACCESS_DENIED', [d4, own]), {
      responseType: 'ACCESS_DENIED', statusCode: '403', responseParameters: {}, responseTemplates: { 'text/plain': 'no' }, defaultResponse: false,
    });
    assert.equal(effectiveResponse('ACCESS_DENIED', [d4, own]).customStatus, undefined);
    assert.deepEqual(effectiveGatewayResponse('INTEGRATION_FAILURE', [d4]), {
      responseType: 'INTEGRATION_FAILURE', statusCode: '504', responseParameters: {}, responseTemplates: { 'application/json': '{"message":$context.error.messageString}' }, defaultResponse: true,
    });
    assert.equal(effectiveGatewayResponse('DEFAULT_5XX', []).statusCode, undefined);
  });
});

describe('compilation', () => {
  it('shares AWS’s defaults, and one compiled form per customization', () => {
    assert.equal(compileGatewayResponses([]), DEFAULT_GATEWAY_RESPONSES);
    const c = compileGatewayResponses([{ responseType: 'DEFAULT_4XX', statusCode: '404', responseTemplates: { 'application/json': 'x' } }]);
    assert.equal(c.MISSING_AUTHENTICATION_TOKEN, c.THROTTLED);
    assert.equal(c.MISSING_AUTHENTICATION_TOKEN.statusCode, 404);
    assert.equal(c.INTEGRATION_TIMEOUT, DEFAULT_GATEWAY_RESPONSES.INTEGRATION_TIMEOUT);
    assert.equal(c.INTEGRATION_TIMEOUT.statusCode, null);
  });

  it('maps headers only, and skips expressions PutGatewayResponse would refuse', () => {
    const c = compileGatewayResponses([{
      responseType: 'DEFAULT_4XX',
      responseParameters: { 'gatewayresponse.header.A': "'1'", 'gatewayresponse.querystring.q': "'2'", 'gatewayresponse.header.B': 'bogus', 'method.response.header.C': "'3'" },
    }]);
    assert.deepEqual(c.DEFAULT_4XX.headers.map((h) => h.name), ['A']);
    assert.equal(c.DEFAULT_4XX.readsRequest, false);
  });

  it('knows the parameter grammar', () => {
    for (const ok of ["'a.b.c'", "''", 'method.request.header.Accept', 'method.request.querystring.q', 'method.request.path.petId',
      'method.request.multivalueheader.X', 'method.request.multivaluequerystring.q', 'stageVariables.a_1', 'context.identity.sourceIp']) {
      assert.notEqual(compileParameterSource(ok), null, ok);
    }
    for (const bad of ['bogus', 'method.request.body', "'a'b'", 'stageVariables.a-b', 'integration.response.header.X', 'method.request.header.']) {
      assert.equal(compileParameterSource(bad), null, bad);
    }
    assert.deepEqual(parameterTarget('gatewayresponse.header.Access-Control-Allow-Origin'), { location: 'header', name: 'Access-Control-Allow-Origin' });
    assert.equal(parameterTarget('method.response.header.X'), null);
  });
});

describe('templates', () => {
  it('substitute $context and $stageVariables only, and copy everything else', () => {
    const t = new GatewayResponseTemplate('{"m":$context.error.messageString,"t":"$context.error.responseType","s":"$stageVariables.origin",' +
      '"u":"$stageVariables.unset$context.nope.deeper","c":"$context.stage.","v":"#if(1)$5 $input.path(\'$\')#end"}');
    assert.equal(t.render(input()), '{"m":"Missing Authentication Token","t":"MISSING_AUTHENTICATION_TOKEN","s":"https://stage.example",' +
      '"u":"","c":"prod.","v":"#if(1)$5 $input.path(\'$\')#end"}');
  });

  it('reads own entries only', () => {
    assert.equal(new GatewayResponseTemplate('[$stageVariables.constructor][$context.toString]').render(input()), '[][]');
  });
});

describe('rendering', () => {
  const failure = { status: 502, errorType: 'InternalServerErrorException' };

  it('answers AWS’s default with the failure’s own status', () => {
    const out = renderGatewayResponse(DEFAULT_GATEWAY_RESPONSES.INTEGRATION_FAILURE, failure, input({ context: { error: { messageString: '"Internal server error"' } } }));
    assert.deepEqual(out, {
      statusCode: 502,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' },
      body: '{"message":"Internal server error"}',
    });
  });

  it('maps headers from the request, stage variables and $context, and chooses the template by Accept', () => {
    const c = compileGatewayResponses([{
      responseType: 'DEFAULT_5XX',
      statusCode: '503',
      responseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.x-query': 'method.request.multivaluequerystring.q',
        'gatewayresponse.header.x-pet': 'method.request.path.petId',
        'gatewayresponse.header.x-stage': 'context.stage',
        'gatewayresponse.header.x-var': 'stageVariables.origin',
        'gatewayresponse.header.content-type': "'application/problem+xml'",
        'gatewayresponse.header.x-absent': 'method.request.header.nope',
        'gatewayresponse.header.x-bad': 'stageVariables.bad',
      },
      responseTemplates: { 'application/json': '{"json":true}', 'Application/XML': '<xml>$context.error.responseType</xml>' },
    }]);
    const out = renderGatewayResponse(c.INTEGRATION_FAILURE, failure, input({ stageVariables: { origin: 'o', bad: 'a\nb' } }));
    assert.deepEqual(out, {
      statusCode: 503,
      headers: {
        'x-amzn-ErrorType': 'InternalServerErrorException', 'Access-Control-Allow-Origin': 'https://app.example', 'x-query': 'first,last',
        'x-pet': '7', 'x-stage': 'prod', 'x-var': 'o', 'content-type': 'application/problem+xml',
      },
      body: '<xml>MISSING_AUTHENTICATION_TOKEN</xml>',
    });
    const unknown = renderGatewayResponse(c.INTEGRATION_FAILURE, failure, input({ request: null }));
    assert.equal(unknown.headers['Access-Control-Allow-Origin'], undefined);
    assert.equal(unknown.body, '{"json":true}');
  });
});
