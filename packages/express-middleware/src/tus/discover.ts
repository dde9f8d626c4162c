/** OPTIONS: what this server speaks (version, extensions, the largest upload, checksum algorithms). No body. */
import type { Request, Response } from 'express';
import type { TusContext } from './context.js';
import { CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_VERSION } from './protocol.js';

export async function handleOptions(ctx: TusContext, _req: Request, res: Response): Promise<void> {
  res.setHeader('Tus-Version', TUS_VERSION);
  res.setHeader('Tus-Extension', TUS_EXTENSIONS);
  res.setHeader('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS);
  if (Number.isFinite(ctx.tus.maxSize)) res.setHeader('Tus-Max-Size', String(ctx.tus.maxSize));
  res.status(204).end();
}
