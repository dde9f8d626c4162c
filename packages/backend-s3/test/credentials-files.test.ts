// Credentials from the environment and from the shared config/credentials files (static keys, credential_process,
// role_arn + source_profile against a fake STS that checks what it is sent). Nothing here leaves 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@att/s3-sigv4';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { createEnvCredentials, createProfileCredentials } from '../src/index.js';
import { expectNoSecrets, failure, isolatedEnv, later, SECRET, TOKEN, tempDir } from './support/credential-sources.js';
import { stsResponse, useFakeEndpoints } from './support/fake-endpoint.js';

const fake = useFakeEndpoints();

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
