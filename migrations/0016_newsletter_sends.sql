CREATE TABLE `mail_suppressions` (
	`email` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`detail` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `newsletter_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`send_id` integer NOT NULL,
	`subscriber_id` integer NOT NULL,
	`email` text NOT NULL,
	`audience` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text,
	`sent_at` text,
	FOREIGN KEY (`send_id`) REFERENCES `newsletter_sends`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletter_deliveries_unique` ON `newsletter_deliveries` (`send_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `newsletter_deliveries_due_idx` ON `newsletter_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `newsletter_deliveries_subscriber_idx` ON `newsletter_deliveries` (`subscriber_id`);--> statement-breakpoint
CREATE TABLE `newsletter_renditions` (
	`send_id` integer NOT NULL,
	`audience` text NOT NULL,
	`subject` text NOT NULL,
	`preheader` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`send_id`, `audience`),
	FOREIGN KEY (`send_id`) REFERENCES `newsletter_sends`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `newsletter_secrets` (
	`id` integer PRIMARY KEY NOT NULL,
	`secret` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `newsletter_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`newsletter_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`status` text NOT NULL,
	`scheduled_for` text NOT NULL,
	`requested_by` text,
	`audiences` text DEFAULT '{}' NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	FOREIGN KEY (`newsletter_id`) REFERENCES `newsletters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletter_sends_unique` ON `newsletter_sends` (`newsletter_id`,`article_id`);--> statement-breakpoint
CREATE INDEX `newsletter_sends_status_idx` ON `newsletter_sends` (`status`,`scheduled_for`);--> statement-breakpoint
INSERT INTO `newsletter_secrets` (`id`, `secret`) VALUES (1, lower(hex(randomblob(32))));
