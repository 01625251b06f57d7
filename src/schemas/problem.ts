import { z } from 'zod';

/** RFC 9457 problem details: the body of every error response. */
export const Problem = z
  .object({
    type: z.string().describe('URI identifying the problem type'),
    title: z.string().describe('Short, human-readable summary of the problem type'),
    status: z.number().int().describe('HTTP status code'),
    detail: z.string().describe('Human-readable explanation specific to this occurrence'),
    instance: z.string().describe('The request path that produced the problem'),
    requestId: z.string().optional().describe('Request id, also written to the server log'),
    errors: z
      .array(
        z.object({
          pointer: z
            .string()
            .describe('Where the bad value is: /body/<json pointer>, /query/<name>, /params/<name> or /headers/<name>'),
          detail: z.string(),
        }),
      )
      .optional()
      .describe('Each invalid field, for validation problems'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

export type ProblemBody = z.infer<typeof Problem>;

/** Response entries for the errors a route can answer, for its OpenAPI description. */
export function problemResponses(...statuses: number[]): Record<number, typeof Problem> {
  const out: Record<number, typeof Problem> = {};
  for (const s of statuses) out[s] = Problem.describe(STATUS_DESCRIPTIONS[s] ?? 'Error') as typeof Problem;
  return out;
}

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: invalid parameters or body (problem+json with errors[])',
  401: 'Missing, unknown or revoked credentials',
  403: 'The credentials lack the required scope',
  404: 'Not found',
  409: 'Conflict with the current state',
  412: 'If-Match precondition failed: the resource changed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Well-formed but unprocessable',
  428: 'Precondition required',
  429: 'Too many requests',
};
