// A request signed for the wrong region: AWS answers 301 PermanentRedirect, 307 TemporaryRedirect, or 400
// AuthorizationHeaderMalformed, and names the bucket's region in `x-amz-bucket-region` (a HEAD 301 has nothing
// else: no body), in the error's `<Region>`, or in its `<Endpoint>` host. This finds that region so the error can
// say which one to configure, and so `followRegionRedirects` can re-sign there, as the SDK option does.
const REGION = /^[a-z0-9-]{2,32}$/;

function fromEndpoint(endpoint: string): string | undefined {
  // bucket.s3.eu-west-1.amazonaws.com, s3.dualstack.eu-west-1.amazonaws.com, bucket.s3-eu-west-1.amazonaws.com
  const match = /(?:^|\.)s3[.-](?:dualstack\.)?([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(endpoint);
  return match?.[1];
}

function element(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]{1,256})</${name}>`).exec(body)?.[1]?.trim();
}

/** The bucket's region when `status` is a wrong-region answer, else undefined. */
export function bucketRegionHint(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  s3Code: string | undefined,
): string | undefined {
  const wrongRegion =
    status === 301 ||
    status === 307 ||
    (status === 400 && (s3Code === 'AuthorizationHeaderMalformed' || s3Code === 'IllegalLocationConstraintException'));
  if (!wrongRegion) return undefined;
  const candidates = [
    [headers['x-amz-bucket-region']].flat()[0],
    element(body, 'Region'),
    (() => {
      const endpoint = element(body, 'Endpoint');
      return endpoint ? fromEndpoint(endpoint) : undefined;
    })(),
  ];
  return candidates.find((region): region is string => region !== undefined && REGION.test(region));
}

/** The default AWS endpoint for `region`, when `endpoint` is the default one of another region (else undefined). */
export function movedAwsEndpoint(endpoint: URL, fromRegion: string, toRegion: string): URL | undefined {
  if (endpoint.hostname !== `s3.${fromRegion}.amazonaws.com`) return undefined;
  return new URL(`${endpoint.protocol}//s3.${toRegion}.amazonaws.com${endpoint.port ? `:${endpoint.port}` : ''}`);
}
