/**
 * An error a handler or service throws to answer with a specific status.
 * The problem plugin turns it into application/problem+json.
 */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    message: string,
    public readonly extra: { errors?: { pointer: string; detail: string }[]; headers?: Record<string, string>; type?: string } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} was not found`);
export const conflict = (detail: string) => new HttpError(409, detail);
export const badRequest = (detail: string, pointer?: string) =>
  new HttpError(400, detail, pointer ? { errors: [{ pointer, detail }] } : {});
export const unprocessable = (detail: string, pointer?: string) =>
  new HttpError(422, detail, pointer ? { errors: [{ pointer, detail }] } : {});
