// Each link of the default credential chain against a local fake of its file or endpoint: temp ini files, a fake
// IMDS, a fake container agent, a fake STS that checks what it is sent. Nothing here leaves 127.0.0.1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { signRequest } from '@att/s3-sigv4';
import { isAttError } from '@att/store-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createContainerCredentials,
  createDefaultCredentials,
  createEnvCredentials,
  createInstanceMetadataCredentials,
  createProfileCredentials,
  createWebIdentityCredentials,
} from '../src/index.js';
import { awsJsonCredentials, type FakeEndpoint, startFakeEndpoint, stsResponse } from './support/fake-endpoint.js';

const SECRET = 'SECRET/never+shown';
const TOKEN = 'TOKEN-never-shown';
const later = () => new Date(Date.now() + 3_600_000);
const fakes: FakeEndpoint[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
async function fake(handle: Parameters<typeof startFakeEndpoint>[0]) {
  const f = await startFakeEndpoint(handle);
  fakes.push(f);
  return f;
}
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'att-creds-'));
}
/** An env with no real AWS settings and home in an empty temp dir, so the machine's own files never leak in. */
function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir();
  return {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
/** The error, its message, JSON and inspect form: none may contain a secret or token. */
function expectNoSecrets(err: unknown, ...secrets: string[]) {
  const views = [String(err), inspect(err, { depth: 5 }), JSON.stringify(err)];
  for (const view of views)
    for (const secret of secrets) expect(view, 'a secret leaked into an error').not.toContain(secret);
}

describe('environment variables', () => {
  it('reads key, secret, session token and expiration', async () => {
    const expiration = later();
    const creds = await createEnvCredentials({
      env: {
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
        AWS_CREDENTIAL_EXPIRATION: expiration.toISOString(),
      },
    })();
    expect(creds).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET, sessionToken: TOKEN, expiration });
  });

  it('a lone key id is not configuration: the chain moves on', async () => {
    expect(await createEnvCredentials({ env: { AWS_ACCESS_KEY_ID: 'AKID' } })()).toBeUndefined();
  });
});

describe('shared config and credentials files', () => {
  it('static keys of AWS_PROFILE; the credentials file wins over config, `[profile x]` vs `[x]`', async () => {
    const env = isolatedEnv({ AWS_PROFILE: 'work' });
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      '[profile work]\naws_access_key_id = FROMCONFIG\nregion = eu-west-3\n',
    );
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE as string,
      `# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key = x\n\n[work]\naws_access_key_id = AKWORK\naws_secret_access_key = ${SECRET} ; note\naws_session_token=${TOKEN}\n`,
    );
    expect(await createProfileCredentials({ env })()).toEqual({
      accessKeyId: 'AKWORK',
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
    });
    expect((await createProfileCredentials({ env, profile: 'default' })())?.accessKeyId).toBe('DEF');
  });

  it('a missing profile or a region-only profile gives nothing; incomplete keys are an error without values', async () => {
    const env = isolatedEnv({ AWS_PROFILE: 'absent' });
    expect(await createProfileCredentials({ env })()).toBeUndefined();
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      '[default]\nregion = us-west-2\n[profile half]\naws_access_key_id = AKHALF\n',
    );
    expect(await createProfileCredentials({ env, profile: 'default' })()).toBeUndefined();
    const err = await failure(createProfileCredentials({ env, profile: 'half' })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('half');
    expect(err.message).not.toContain('AKHALF');
  });

  it('credential_process: runs the command and reads Version 1 JSON; failures show no output', async () => {
    const env = isolatedEnv();
    const dir = tempDir();
    const good = join(dir, 'good.mjs');
    writeFileSync(
      good,
      `console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKPROC', SecretAccessKey: ${JSON.stringify(SECRET)}, SessionToken: ${JSON.stringify(TOKEN)}, Expiration: '2099-01-01T00:00:00Z' }))`,
    );
    const bad = join(dir, 'bad.mjs');
    writeFileSync(
      bad,
      `console.log(${JSON.stringify(SECRET)}); console.error(${JSON.stringify(TOKEN)}); process.exit(3)`,
    );
    const garbled = join(dir, 'garbled.mjs');
    writeFileSync(garbled, `console.log('{"Version": 1, "SecretAccessKey": ${JSON.stringify(SECRET)}')`);
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      `[profile p]\ncredential_process = "${process.execPath}" ${good}\n[profile bad]\ncredential_process = "${process.execPath}" ${bad}\n[profile garbled]\ncredential_process = "${process.execPath}" ${garbled}\n`,
    );
    expect(await createProfileCredentials({ env, profile: 'p' })()).toEqual({
      accessKeyId: 'AKPROC',
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date('2099-01-01T00:00:00Z'),
    });
    const err = await failure(createProfileCredentials({ env, profile: 'bad' })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('exited with 3');
    expectNoSecrets(err, SECRET, TOKEN);
    const garbledErr = await failure(createProfileCredentials({ env, profile: 'garbled' })());
    expect(isAttError(garbledErr)).toBe(true);
    expectNoSecrets(garbledErr, SECRET);
  });

  it('role_arn + source_profile: AssumeRole at STS, signed with the source keys', async () => {
    const sts = await fake((req) => {
      const params = new URLSearchParams(req.body);
      // Recompute the signature with the source secret: the fake accepts only a correct SigV4 for service sts.
      const expected = signRequest(
        {
          method: 'POST',
          url: `http://${req.headers.host}${req.url}`,
          headers: { 'content-type': String(req.headers['content-type']) },
          body: req.body,
        },
        {
          accessKeyId: 'AKSOURCE',
          secretAccessKey: 'source-secret',
          region: 'eu-central-1',
          service: 'sts',
          date: new Date(
            String(req.headers['x-amz-date']).replace(
              /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
              '$1-$2-$3T$4:$5:$6Z',
            ),
          ),
        },
      );
      if (req.headers.authorization !== expected.headers.authorization)
        return {
          status: 403,
          body: '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>',
        };
      if (params.get('Action') !== 'AssumeRole' || params.get('RoleArn') !== 'arn:aws:iam::123:role/app')
        return { status: 400 };
      if (params.get('ExternalId') !== 'ext-1' || params.get('RoleSessionName') !== 'sess') return { status: 400 };
      return { body: stsResponse('AssumeRole', 'ASIAROLE', SECRET, TOKEN, later()) };
    });
    const env = isolatedEnv({ AWS_PROFILE: 'app', AWS_ENDPOINT_URL_STS: sts.url });
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      '[profile app]\nrole_arn = arn:aws:iam::123:role/app\nsource_profile = base\nexternal_id = ext-1\nrole_session_name = sess\nregion = eu-central-1\n',
    );
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE as string,
      '[base]\naws_access_key_id = AKSOURCE\naws_secret_access_key = source-secret\n',
    );
    const creds = await createProfileCredentials({ env })();
    expect(creds?.accessKeyId).toBe('ASIAROLE');
    expect(creds?.sessionToken).toBe(TOKEN);
    expect(creds?.expiration).toBeInstanceOf(Date);
    expect(sts.requests).toHaveLength(1);
    expect(sts.requests[0]?.headers.authorization).toMatch(
      /Credential=AKSOURCE\/\d{8}\/eu-central-1\/sts\/aws4_request/,
    );
  });

  it('a source_profile loop is a config error, not a hang', async () => {
    const env = isolatedEnv({ AWS_PROFILE: 'a' });
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      '[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n',
    );
    const err = await failure(createProfileCredentials({ env })());
    expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    expect(err.message).toContain('loops');
  });
});

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
    const server = await fake(() => ({ status: 200 }));
    const url = server.url;
    await server.close();
    fakes.splice(fakes.indexOf(server), 1);
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
