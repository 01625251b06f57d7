CREATE TABLE `newsletter_subscriptions` (
	`newsletter_id` integer NOT NULL,
	`subscriber_id` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`newsletter_id`, `subscriber_id`),
	FOREIGN KEY (`newsletter_id`) REFERENCES `newsletters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `newsletter_subscriptions_subscriber_idx` ON `newsletter_subscriptions` (`subscriber_id`);--> statement-breakpoint
CREATE TABLE `newsletters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`sender_name` text,
	`sender_email` text,
	`reply_to` text,
	`sections` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`subscribe_on_signup` integer DEFAULT false NOT NULL,
	`audience` text DEFAULT 'confirmed' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`archived_at` text,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletters_slug_unique` ON `newsletters` (`slug`);--> statement-breakpoint
-- The hard-coded list becomes three newsletters, and each subscriber's stored choice becomes rows (before the column goes).
INSERT INTO `newsletters` (`slug`, `name`, `description`, `position`, `created_at`, `updated_at`) VALUES
	('daily-briefing', 'Daily briefing', 'The day''s main stories, every morning.', 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	('weekly-review', 'Weekly review', 'The week in review, every weekend.', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	('breaking-news', 'Breaking news', 'Major stories as they break.', 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
--> statement-breakpoint
INSERT OR IGNORE INTO `newsletter_subscriptions` (`newsletter_id`, `subscriber_id`, `created_at`)
	SELECT n.`id`, s.`id`, s.`updated_at`
	FROM `subscribers` s, json_each(CASE WHEN json_valid(s.`newsletters`) THEN s.`newsletters` ELSE '[]' END) j
	JOIN `newsletters` n ON n.`slug` = j.`value`
	WHERE s.`status` <> 'erased';
--> statement-breakpoint
ALTER TABLE `subscribers` DROP COLUMN `newsletters`;