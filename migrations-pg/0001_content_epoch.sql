-- The content epochs (as migrations/0009_content_epoch.sql for SQLite): counters that move with
-- every committed write to a table whose rows show in rendered articles, lists or paywalls; the
-- render caches key on them (src/articles/cache.ts). 'articles': articles and their bylines, tags,
-- corrections and old slugs; 'shared': authors, tags, sections, photos and plans.
-- Statement-level triggers keep them, so a write from any node or from psql counts, and each bump
-- sends NOTIFY content_epoch with the scope, so other nodes retire their caches when it commits
-- (NOTIFY is delivered at commit, never for a rolled-back write).
CREATE TABLE "content_epoch" (
	"scope" text PRIMARY KEY NOT NULL CHECK ("scope" IN ('articles', 'shared')),
	"n" integer NOT NULL
);
--> statement-breakpoint
INSERT INTO "content_epoch" ("scope", "n") VALUES ('articles', 0), ('shared', 0);
--> statement-breakpoint
CREATE FUNCTION content_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "content_epoch" SET "n" = "n" + 1 WHERE "scope" = TG_ARGV[0];
	PERFORM pg_notify('content_epoch', TG_ARGV[0]);
	RETURN NULL;
END;
$$;
--> statement-breakpoint
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['articles', 'article_authors', 'article_corrections', 'article_slugs', 'article_tags'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION content_epoch_bump(%L)', 'content_epoch_' || t, t, 'articles');
	END LOOP;
	FOREACH t IN ARRAY ARRAY['sections', 'authors', 'tags', 'photos', 'plans'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION content_epoch_bump(%L)', 'content_epoch_' || t, t, 'shared');
	END LOOP;
END;
$$;
