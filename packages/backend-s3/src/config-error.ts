/** The one shape of S3 configuration errors: INVALID_CONFIG naming the field, in the message and `details.field`. */
import { AttError } from '@att/store-core';

export function invalidConfig(field: string, problem: string): AttError {
  return new AttError('INVALID_CONFIG', `S3 config: ${field} ${problem}`, { details: { field } });
}
