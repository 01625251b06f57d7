-- Custom SQL migration file, put your code below! ---- The free plan every confirmed subscriber starts on: opens `registered` articles and carries the
-- monthly meter (METER_FREE_ARTICLES). Idempotent; the app refuses to delete it.
INSERT OR IGNORE INTO `plans` (`slug`, `name`, `description`, `price_cents`, `currency`, `interval`, `levels`, `archive`, `sections`, `metered`, `stripe_price_id`, `active`, `position`, `created_at`, `updated_at`, `version`)
VALUES ('free', 'Free', 'Read articles for registered readers, plus a few subscriber stories every month.', 0, 'EUR', 'none', '["registered"]', 0, NULL, 1, NULL, 1, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1);
