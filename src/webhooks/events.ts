/** Events a webhook endpoint can subscribe to. The change feed also records `article.created`. */
export const WEBHOOK_EVENTS = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'article.corrected',
  'photo.updated',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const CHANGE_EVENTS = [
  'article.created',
  'article.updated',
  'article.published',
  'article.unpublished',
  'article.deleted',
  'article.corrected',
  'photo.updated',
] as const;
export type ChangeEvent = (typeof CHANGE_EVENTS)[number];
