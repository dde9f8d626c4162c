// Credentials from endpoints: web identity (EKS IRSA) at a fake STS, the container agent (ECS, EKS Pod Identity),
// a fake IMDS (EC2), and the default chain's order over all sources. Nothing here leaves 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import {
  createContainerCredentials,
  createDefaultCredentials,
  createInstanceMetadataCredentials,
  createWebIdentityCredentials,
} from '../src/index.js';
import { expectNoSecrets, failure, isolatedEnv, later, SECRET, TOKEN, tempDir } from './support/credential-sources.js';
import { awsJsonCredentials, startFakeEndpoint, stsResponse, useFakeEndpoints } from './support/fake-endpoint.js';

const fake = useFakeEndpoints();

describe('web identity (EKS IRSA)', () => {
  it('sends the token file to AssumeRoleWithWebIdentity, unsigned, and re-reads the file each time', async () => {
    const sts = await fake((req) => {
      const params = new URLSearchParams(req.body);
      if (req.headers.authorization) return { status: 400 };
      if (params.get('Action') !== 'AssumeRoleWithWebIdentity' || params.get('Version') !== '2011-06-15') {
        return { status: 400 };
      }
      if (params.get('RoleArn') !== 'arn:aws:iam::123:role/pod' || params.get('RoleSessionName') !== 'pod-1') {
        return { status: 400 };
      }
      const id = params.get('WebIdentityToken') === 'jwt-one' ? 'ASIAONE' : 'ASIATWO';
      return { body: stsResponse('AssumeRoleWithWebIdentity', id, SECRET, TOKEN, later()) };
    });
    const tokenFile = join(tempDir(), 'token');
    writeFileSync(tokenFile, 'jwt-one\n');
    const env = isolatedEnv({
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: 'arn:aws:iam::123:role/pod',
      AWS_ROLE_SESSION_NAME: 'pod-1',
      AWS_ENDPOINT_URL_STS: sts.url,
    });
    const source = createWebIdentityCredentials({ env });
    expect((await source())?.accessKeyId).toBe('ASIAONE');
    writeFileSync(tokenFile, 'jwt-two');
    expect((await source())?.accessKeyId).toBe('ASIATWO');
    expect(sts.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(sts.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('an STS refusal names the STS code, never the token', async () => {
    const sts = await fake(() => ({
      status: 400,
      body: '<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad</Message></Error></ErrorResponse>',
    }));
    const tokenFile = join(tempDir(), 'token');
    writeFileSync(tokenFile, TOKEN);
    const env = isolatedEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' });
    const err = await failure(createWebIdentityCredentials({ env, stsEndpoint: sts.url })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('InvalidIdentityToken');
    expectNoSecrets(err, TOKEN);
  });

  it('only one of the two variables is a config error', async () => {
    const err = await failure(createWebIdentityCredentials({ env: { AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' } })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
  });
});

describe('container endpoint (ECS, EKS Pod Identity)', () => {
  it('FULL_URI with the token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time)', async () => {
    const agent = await fake((req) =>
      req.headers.authorization === 'agent-token-2' || req.headers.authorization === 'agent-token-1'
        ? { body: awsJsonCredentials('ASIAECS', SECRET, TOKEN, later()) }
        : { status: 401 },
    );
    const tokenFile = join(tempDir(), 'eks-token');
    writeFileSync(tokenFile, 'agent-token-1\n');
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    };
    const source = createContainerCredentials({ env });
    expect((await source())?.accessKeyId).toBe('ASIAECS');
    writeFileSync(tokenFile, 'agent-token-2');
    expect((await source())?.sessionToken).toBe(TOKEN);
    expect(agent.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', '/v1/credentials', 'agent-token-1'],
      ['GET', '/v1/credentials', 'agent-token-2'],
    ]);
  });

  it('a refused token is INVALID_CONFIG and the token is not in the error', async () => {
    const agent = await fake(() => ({ status: 403 }));
    const err = await failure(
      createContainerCredentials({
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: agent.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN },
      })(),
    );
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expectNoSecrets(err, TOKEN);
  });

  it('plain http to a non-loopback, non-agent host is refused before any request', async () => {
    const err = await failure(
      createContainerCredentials({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://example.com/creds' } })(),
    );
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('loopback');
  });

  it('neither variable: not configured', async () => {
    expect(await createContainerCredentials({ env: {} })()).toBeUndefined();
  });
});

describe('EC2 instance metadata (IMDSv2)', () => {
  function imds(options: { tokenStatus?: number; hangToken?: boolean } = {}) {
    return fake((req) => {
      if (req.method === 'PUT' && req.url === '/latest/api/token') {
        if (options.hangToken) return { hang: true };
        if (req.headers['x-aws-ec2-metadata-token-ttl-seconds'] !== '21600') return { status: 400 };
        return options.tokenStatus ? { status: options.tokenStatus } : { body: 'imds-session' };
      }
      const v2 = req.headers['x-aws-ec2-metadata-token'] === 'imds-session';
      if (options.tokenStatus === undefined && !options.hangToken && !v2) return { status: 401 };
      if (req.url === '/latest/meta-data/iam/security-credentials/') return { body: 'web-role\n' };
      if (req.url === '/latest/meta-data/iam/security-credentials/web-role') {
        return { body: awsJsonCredentials('ASIAEC2', SECRET, TOKEN, later()) };
      }
      return { status: 404 };
    });
  }

  it('token first, then role name, then role credentials, all with the token', async () => {
    const server = await imds();
    const creds = await createInstanceMetadataCredentials({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url } })();
    expect(creds?.accessKeyId).toBe('ASIAEC2');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/web-role',
    ]);
    expect(server.requests.slice(1).every((r) => r.headers['x-aws-ec2-metadata-token'] === 'imds-session')).toBe(true);
  });

  it('token PUT timing out (hop limit) falls back to IMDSv1, unless v1 is disabled', async () => {
    const server = await imds({ hangToken: true });
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url };
    const creds = await createInstanceMetadataCredentials({ env, timeout: 200 })();
    expect(creds?.accessKeyId).toBe('ASIAEC2');
    expect(server.requests[1]?.headers['x-aws-ec2-metadata-token']).toBeUndefined();
    const err = await failure(
      createInstanceMetadataCredentials({ env: { ...env, AWS_EC2_METADATA_V1_DISABLED: 'true' }, timeout: 200 })(),
    );
    expect(isAttError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(err.message).toContain('hop limit');
  });

  it('403/405 on the token PUT means no IMDSv2 here: IMDSv1', async () => {
    const server = await imds({ tokenStatus: 405 });
    const creds = await createInstanceMetadataCredentials({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url } })();
    expect(creds?.accessKeyId).toBe('ASIAEC2');
  });

  it('no metadata service at all: not configured (the end of the chain), and AWS_EC2_METADATA_DISABLED skips it', async () => {
    // Started and closed here (not through `fake`), so the port is known to be free of any listener.
    const server = await startFakeEndpoint(() => ({ status: 200 }));
    const url = server.url;
    await server.close();
    expect(
      await createInstanceMetadataCredentials({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: url } })(),
    ).toBeUndefined();
    expect(await createInstanceMetadataCredentials({ env: { AWS_EC2_METADATA_DISABLED: 'true' } })()).toBeUndefined();
  });
});

describe('the default chain', () => {
  it('takes the first configured source in the SDK order (env before profile before container before IMDS)', async () => {
    const agent = await fake(() => ({ body: awsJsonCredentials('ASIAECS', SECRET, TOKEN, later()) }));
    const env = isolatedEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: agent.url });
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE as string,
      '[default]\naws_access_key_id = AKFILE\naws_secret_access_key = s\n',
    );
    expect(
      (await createDefaultCredentials({ env: { ...env, AWS_ACCESS_KEY_ID: 'AKENV', AWS_SECRET_ACCESS_KEY: 's' } })())
        .accessKeyId,
    ).toBe('AKENV');
    expect((await createDefaultCredentials({ env })()).accessKeyId).toBe('AKFILE');
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, '');
    expect((await createDefaultCredentials({ env })()).accessKeyId).toBe('ASIAECS');
  });

  it('nothing configured: INVALID_CONFIG listing what was tried', async () => {
    const err = await failure(createDefaultCredentials({ env: isolatedEnv() })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('AWS_ACCESS_KEY_ID');
    expect(err.message).toContain('instance metadata');
  });

  it('the provider function shows no secret when inspected', async () => {
    const provider = createDefaultCredentials({ env: { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: SECRET } });
    await provider();
    expect(inspect(provider, { showHidden: true, depth: 5 })).not.toContain(SECRET);
    expect(String(provider)).not.toContain(SECRET);
  });
});
