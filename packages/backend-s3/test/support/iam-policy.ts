// The README's IAM policy, read from the README itself, and a small evaluator of AWS policy semantics for it:
// which action and resource each S3 request needs (as AWS authorizes them), and whether an Allow statement grants
// it (Action and Resource wildcards, StringLike conditions; a condition on a key the request does not carry does
// not match). Enough for the policy we publish; anything else it meets is an error, not a silent allow.
import { readFileSync } from 'node:fs';
import type { ProxiedRequest } from './fault-actions.js';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface Policy {
  Version: string;
  Statement: Statement[];
}

/** What AWS checks for one request: the action, the resource ARN, and the request's condition keys. */
export interface Authorization {
  action: string;
  resource: string;
  context: Record<string, string>;
}

/** The JSON block under "## IAM permissions" in README.md, with its bucket `B` and prefix `P` filled in. */
export function readmePolicy(readmePath: string, bucket: string, prefix: string): Policy {
  const readme = readFileSync(readmePath, 'utf8');
  const section = readme.split('\n## IAM permissions')[1];
  const json = section?.split('```json\n')[1]?.split('\n```')[0];
  if (!json) throw new Error('README has no ```json block under "## IAM permissions"');
  const filled = json.replaceAll(':::B/P/', `:::${bucket}/${prefix}/`).replaceAll('"P/*"', `"${prefix}/*"`);
  return JSON.parse(filled.replaceAll(':::B"', `:::${bucket}"`)) as Policy;
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );

function conditionsHold(condition: Statement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    if (operator !== 'StringLike') throw new Error(`evaluator does not know condition operator ${operator}`);
    for (const [key, patterns] of Object.entries(entries)) {
      const value = context[key];
      if (value === undefined || !list(patterns).some((p) => glob(p).test(value))) return false;
    }
  }
  return true;
}

/** AWS's rule for one request: allowed when some Allow matches and no Deny does. */
export function allows(policy: Policy, need: Authorization): boolean {
  const matching = policy.Statement.filter(
    (s) =>
      list(s.Action).some((a) => glob(a).test(need.action)) &&
      list(s.Resource).some((r) => glob(r).test(need.resource)) &&
      conditionsHold(s.Condition, need.context),
  );
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

/**
 * The authorization a path-style request needs on AWS (the documented action of each S3 API call). DeleteObjects
 * is authorized per key as s3:DeleteObject; its keys are in the body, which the proxy does not keep, so `deleted`
 * names one key of the batch.
 */
export function authorizationOf(req: ProxiedRequest, bucket: string, deleted = 'x'): Authorization {
  const path = req.path.split('?')[0] as string;
  const q = req.query;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (path === `/${bucket}` || path === `/${bucket}/`) {
    const context: Record<string, string> = q.prefix === undefined ? {} : { 's3:prefix': q.prefix };
    if (req.method === 'GET' && q['list-type'] === '2')
      return { action: 's3:ListBucket', resource: bucketArn, context };
    if (req.method === 'GET' && 'uploads' in q)
      return { action: 's3:ListBucketMultipartUploads', resource: bucketArn, context };
    if (req.method === 'POST' && 'delete' in q)
      return { action: 's3:DeleteObject', resource: `${bucketArn}/${deleted}`, context: {} };
    throw new Error(`unclassified bucket request ${req.method} ${req.path}`);
  }
  if (!path.startsWith(`/${bucket}/`)) throw new Error(`request outside the bucket: ${req.method} ${req.path}`);
  const resource = `${bucketArn}/${decodeURIComponent(path.slice(bucket.length + 2))}`;
  const uploadId = 'uploadId' in q;
  const action = (() => {
    switch (req.method) {
      case 'GET':
        return uploadId ? 's3:ListMultipartUploadParts' : 's3:GetObject';
      case 'HEAD':
        return 's3:GetObject';
      case 'PUT':
        if ('acl' in q) return 's3:PutObjectAcl';
        if (req.headers['x-amz-copy-source']) throw new Error('CopyObject is not used');
        return 's3:PutObject'; // PutObject and UploadPart
      case 'POST':
        return 's3:PutObject'; // CreateMultipartUpload (?uploads) and CompleteMultipartUpload (?uploadId)
      case 'DELETE':
        return uploadId ? 's3:AbortMultipartUpload' : 's3:DeleteObject';
      default:
        throw new Error(`unclassified object request ${req.method} ${req.path}`);
    }
  })();
  return { action, resource, context: {} };
}

/**
 * On AWS a GET or HEAD of a missing key answers 404 only to a caller allowed s3:ListBucket on the bucket (asked
 * without any s3:prefix); anyone else gets 403.
 */
export function missingKeyAnswer(policy: Policy, bucket: string): 403 | 404 {
  return allows(policy, { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context: {} }) ? 404 : 403;
}
