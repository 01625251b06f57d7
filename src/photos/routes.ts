import { photoKey } from '../lib/surrogateKeys.js';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isAdmin } from '../access/identity.js';
import { HttpError } from '../lib/httpError.js';
import { matchesIfNoneMatch } from '../plugins/caching.js';
import { IfMatchHeaders, versionFromIfMatch } from '../schemas/common.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { RENDITION_FORMATS } from './renditions.js';
import { Photo, PhotoDeleteQuery, PhotoList, PhotoListQuery, PhotoParams, PhotoUpdate, PhotoUpload, PhotoUploadFields } from './schemas.js';
import type { PhotosService } from './service.js';
import type { StagedUpload } from './storage.js';

const tags = ['Photos'];

const Binary = z.string().meta({ format: 'binary' });

export const photosRoutes: FastifyPluginAsyncZod<{ photos: PhotosService }> = async (app, { photos }) => {
  const config = app.config;
  const viewer = (request: FastifyRequest) => ({ identity: request.identity });
  // The JSON ETag follows the version, plus what else shapes the body (rendition URLs, expiry).
  const shape = createHash('sha1').update(`${config.PUBLIC_BASE_URL}|${config.PHOTO_WIDTHS.join(',')}`).digest('hex').slice(0, 8);
  const etagOf = (p: { version: number; expired: boolean }) => `"v${p.version}-${shape}${p.expired ? '-expired' : ''}"`;

  // --- Upload: the only route that accepts multipart/form-data ---
  await app.register(async (scope) => {
    await scope.register(multipart, {
      throwFileSizeLimit: true,
      limits: {
        fileSize: config.PHOTO_MAX_BYTES,
        files: 1,
        fields: 20,
        // Bytes, not characters: the longest field (a 10,000-character caption) takes up to 3 bytes
        // of UTF-8 per character (CJK captions), so 30,000; the schema then counts characters.
        fieldSize: 30_000,
        parts: 22,
        headerPairs: 50,
      },
    });

    scope.post('/v1/photos', {
      config: { access: 'admin' },
      // The multipart body is read part by part in the handler (the file is streamed to disk), so
      // the schema below documents it and the handler validates it.
      validatorCompiler: (route) => (route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as never)),
      schema: {
        tags,
        summary: 'Upload a photo',
        description:
          'Admin only. `multipart/form-data` with exactly one file part named `file` and optional text fields, which win ' +
          'over the IPTC/XMP/EXIF metadata embedded in the file (caption, headline, credit, creator, copyright, source, ' +
          'usage terms, keywords, date taken). The format is detected from the bytes: JPEG, PNG, WebP, AVIF, GIF (first ' +
          `frame) and TIFF are accepted, anything else is 415. Files over PHOTO_MAX_BYTES are 413; images over ` +
          'PHOTO_MAX_PIXELS, truncated or corrupt ones are 422. The original is stored named by its SHA-256: uploading ' +
          'the same bytes again returns the existing photo with 200 (its metadata unchanged; the fields sent are ignored). ' +
          'A failed upload leaves nothing behind.',
        consumes: ['multipart/form-data'],
        body: PhotoUpload,
        response: {
          200: Photo.describe('These exact bytes were already uploaded: the existing photo'),
          201: Photo.describe('Created'),
          ...problemResponses(400, 401, 403, 413, 415, 422),
        },
      },
    }, async (request, reply) => {
      const { photo, created } = await receiveUpload(request, photos);
      reply.header('location', `/v1/photos/${photo.id}`).header('etag', etagOf(photo));
      return reply.code(created ? 201 : 200).send(photo);
    });
  });

  app.get('/v1/photos', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List photos',
      description:
        'Admin only (the picture library). Newest upload first, cursor-paged. `q` finds text in the caption, headline or ' +
        'credit. Two date filters, combinable: `from`/`to` bound the upload date (`createdAt`, as a CMS media library ' +
        'does), `takenFrom`/`takenTo` the date the picture was taken (`takenAt`, from EXIF/IPTC/XMP or set by an editor; ' +
        'photos without one do not match), which is what an agency archive is searched by. Each pair is ' +
        '[from, to): inclusive start, exclusive end.',
      querystring: PhotoListQuery,
      response: { 200: PhotoList, ...problemResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const result = await photos.list(request.query);
    setNextLink(request, reply, result.meta.nextCursor);
    return result;
  });

  app.get('/v1/photos/:id', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get a photo',
      description:
        'Metadata, placeholder and renditions. Readers (every caller without an admin key) see a photo only while an ' +
        'article visible to them shows it to them (published, its time come, not deleted; the featured photo, or an image ' +
        'block in the part of the body they may read: past the paywall break only for callers with access to the full ' +
        'text) or an author has it as portrait; otherwise 404, the same as an unknown id, so a scheduled story\'s photo ' +
        'and caption do not come out before the story, nor a photo placed past a break to callers who may not read ' +
        'past it. A photo past its `expiresAt` is 410 for everyone but admins.',
      params: PhotoParams,
      response: { 200: Photo, ...problemResponses(400, 401, 404, 410) },
    },
  }, async (request, reply) => {
    const photo = await photos.get(request.params.id, viewer(request));
    reply.header('etag', etagOf(photo)).surrogateKeys([photoKey(photo.id)]);
    return photo;
  });

  app.patch('/v1/photos/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Edit a photo',
      description: 'Admin only. Change caption, alt text, credit, creator, copyright, source, usage terms, keywords, date taken, focal point or expiry; `null` clears a field. Send `If-Match` with the ETag from a GET to get 412 instead of overwriting someone else\'s change.',
      params: PhotoParams,
      headers: IfMatchHeaders,
      body: PhotoUpdate,
      response: { 200: Photo, ...problemResponses(400, 401, 403, 404, 412, 415) },
    },
  }, async (request, reply) => {
    const photo = await photos.update(request.params.id, request.body, versionFromIfMatch(request.headers['if-match']));
    reply.header('etag', etagOf(photo));
    return photo;
  });

  app.delete('/v1/photos/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete a photo',
      description: 'Admin only. Refused with 409 while a published or scheduled article shows it (featured photo or image block), unless `?force=true`. Removes the original and its renditions.',
      params: PhotoParams,
      querystring: PhotoDeleteQuery,
      response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    await photos.delete(request.params.id, request.query.force === 'true');
    return reply.code(204).send();
  });

  const widths = config.PHOTO_WIDTHS;
  const RenditionParams = z.strictObject({
    id: PhotoParams.shape.id,
    // Canonical decimal only: `0640`, `640.0`, `640e0`, ` 640` would otherwise all name the 640 file,
    // each a distinct URL for caches to store (and a way around the immutable URLs' version token).
    width: z
      .string()
      .regex(/^[1-9][0-9]*$/, {
        error: 'must be a width in plain decimal digits, e.g. 640 (no sign, leading zero, decimal point, exponent or space)',
        abort: true,
      })
      .refine((w) => widths.includes(Number(w)), `must be one of the configured widths: ${widths.join(', ')}`)
      .transform(Number)
      .meta({ enum: widths.map(String), pattern: '^[1-9][0-9]*$', description: `A configured width, in plain decimal digits: ${widths.join(', ')}` }),
    format: z.enum(RENDITION_FORMATS).describe('Output format'),
  });
  const RenditionQuery = z.strictObject({
    ar: z.enum(config.PHOTO_ASPECT_RATIOS as [string, ...string[]]).optional().describe('Crop to this aspect ratio around the focal point'),
    v: z
      .string()
      .regex(/^[0-9a-f]{1,64}$/, 'must be the version token from the photo\'s rendition URLs (hex)')
      .optional()
      .describe(
        'Version token, as in the URLs listed in `renditions` and `renditionUrlTemplate`. It changes whenever the bytes behind ' +
          'the URL would (a new original, a moved focal point, new encoder settings). With the current token the answer is ' +
          'cached as immutable; with a missing or stale one it is the current image, cached briefly.',
      ),
  });

  app.get('/v1/photos/:id/renditions/:width.:format', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get a rendition (resized image)',
      description:
        `The photo resized to a configured width (${widths.join(', ')}) as WebP, AVIF or JPEG, optionally cropped to an ` +
        'allowed aspect ratio around the focal point (`?ar=16:9`). Made once and cached; auto-rotated; no metadata ' +
        '(EXIF, GPS, IPTC, XMP) is kept. Never upscaled: a width above the picture\'s own is served at the picture\'s ' +
        'width (the `width` listed in `renditions` says so). Other widths, formats or ratios are 400. ' +
        'Use the URLs the API lists (`renditions`, `renditionUrlTemplate`): they carry `?v=`, a version token that changes ' +
        'whenever the bytes behind the URL would (new original, moved focal point, new encoder settings), so with the current ' +
        'token the answer is `Cache-Control: public, max-age=31536000, immutable` (shorter when the photo expires sooner). ' +
        'Without it, or with a stale one, the answer is still the current image (no redirect) but cached only for ' +
        'CACHE_MAX_AGE_SECONDS, without `immutable`, with a `Link: <…>; rel="canonical"` header naming the current URL. ' +
        'Strong ETag (the same for the same bytes, whatever the token), 304 on If-None-Match. ' +
        'Readers get a rendition only of a photo they may see (see `GET /v1/photos/{id}`; else 404). ' +
        'A photo past its expiry is 410 for everyone but admins.',
      params: RenditionParams,
      querystring: RenditionQuery,
      response: {
        200: {
          description: 'The image',
          content: {
            'image/webp': { schema: Binary },
            'image/avif': { schema: Binary },
            'image/jpeg': { schema: Binary },
          },
        },
        304: z.undefined().describe('Not modified: the ETag in If-None-Match still matches'),
        ...problemResponses(400, 401, 404, 410),
      },
    },
  }, async (request, reply) => {
    const { id, width, format } = request.params;
    const prepared = await photos.prepareRendition(id, width, format, request.query.ar ?? null, request.query.v ?? null, viewer(request));
    reply
      .header('etag', prepared.etag)
      .header('cache-control', prepared.cacheControl)
      .surrogateKeys([photoKey(prepared.photoId)]);
    if (!prepared.current) reply.header('link', `<${config.PUBLIC_BASE_URL}${prepared.currentUrl}>; rel="canonical"`);
    if (matchesIfNoneMatch(request, prepared.etag)) {
      // Same headers as the 200 would carry (the caching plugin only handles 2xx).
      reply.header('vary', 'Authorization');
      if (request.identity.kind !== 'anonymous') reply.header('cache-control', 'private, no-store');
      return reply.code(304).send();
    }
    const { body, size } = await photos.renditionBody(prepared);
    reply.header('content-type', prepared.mimeType).header('content-length', size);
    return reply.send(body as never);
  });
};

/** Reads the multipart body: one `file` part (streamed to a temp file) and text fields. */
async function receiveUpload(request: FastifyRequest, photos: PhotosService) {
  if (!request.isMultipart()) {
    throw new HttpError(415, 'Send the photo as multipart/form-data with a part named "file"');
  }
  const fields: Record<string, string> = {};
  let staged: StagedUpload | null = null;
  let filename: string | null = null;
  try {
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') {
            part.file.resume();
            throw badPart(`/body/${part.fieldname}`, 'unexpected file part; send the image as the part named "file"');
          }
          staged = await photos.stage(part.file);
          filename = part.filename || null;
        } else {
          const name = part.fieldname;
          if (Object.hasOwn(fields, name)) throw badPart(`/body/${name}`, 'is sent more than once');
          if (typeof part.value !== 'string') throw badPart(`/body/${name}`, 'must be a text field');
          if (part.valueTruncated) throw badPart(`/body/${name}`, 'is too long');
          fields[name] = part.value;
        }
      }
    } catch (err) {
      throw multipartError(err, request.server.config.PHOTO_MAX_BYTES);
    }
    if (!staged) throw badPart('/body/file', 'is required: send the image as a file part named "file"');
    // Empty text fields count as not sent (HTML forms send every input).
    const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));
    const parsed = PhotoUploadFields.safeParse(present);
    if (!parsed.success) {
      const errors = parsed.error.issues.flatMap((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.join('/')];
        return keys.map((k) => ({ pointer: `/body/${k}`, detail: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message }));
      });
      throw new HttpError(400, `The request is invalid. ${errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`, { errors });
    }
    const upload = staged;
    staged = null; // ingest owns (and always removes) the temp file from here
    return await photos.ingest(upload, parsed.data, filename);
  } finally {
    if (staged) await (staged as StagedUpload).discard();
  }
}

const badPart = (pointer: string, detail: string) =>
  new HttpError(400, `The upload is invalid. ${pointer}: ${detail}`, { errors: [{ pointer, detail }] });

/** Maps what the multipart parser and busboy throw onto client errors; disk errors stay 5xx. */
function multipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof HttpError) return err;
  const e = err as { code?: string; statusCode?: number; syscall?: string; message?: string };
  if (e.syscall) return err; // the server's own filesystem
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(413, `The file is larger than the ${maxBytes}-byte limit`, { errors: [{ pointer: '/body/file', detail: 'is too large' }] });
    case 'FST_FILES_LIMIT':
      return badPart('/body', 'send exactly one file part');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return badPart('/body', 'too many fields');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new HttpError(415, 'Send the photo as multipart/form-data with a part named "file"');
    default:
      // busboy's own errors ("Unexpected end of form", bad part headers…) and the parser's other 4xx.
      return new HttpError(400, `The multipart body is malformed: ${e.message ?? 'unreadable'}`);
  }
}
