/**
 * What other features do when a story is published with one of their options (the articles
 * feature knows no feature above it: they register here). `newsletter`: POST …/publish with
 * {"newsletter": slug} mails the story to that newsletter as it goes live; registered by the
 * newsletters feature.
 */
export interface NewsletterOnPublish {
  /** Before anything is written: throws a 4xx problem to refuse the publish (unknown newsletter, already sent). */
  check(articleSlug: string, newsletter: string): Promise<void>;
  /** After the publish committed: records the send (now, or when the story goes live). */
  published(articleSlug: string, newsletter: string, actor: string): Promise<void>;
}

export interface PublishHooks {
  newsletter: NewsletterOnPublish | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    articlePublishHooks: PublishHooks;
  }
}
