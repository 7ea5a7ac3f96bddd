-- Facts about documents read once at ingest, so that retrieval reads them
-- instead of scanning chunks: mentions are the spellings of the programmes
-- (knowledge/programme.go) that the title or a chunk's text holds (NULL:
-- not read yet). incubot fills mentions, and places left NULL by
-- documents added before 0005, after migrating, and reads them again when
-- the lists they come from change (corpus_stats.facts_version).
ALTER TABLE documents ADD COLUMN mentions text[];
CREATE INDEX documents_mentions ON documents USING gin (mentions);
-- Lexical candidates of a title match: chunks of documents whose title
-- holds a query term, found by index.
CREATE INDEX documents_title_tokens ON documents USING gin (title_tokens);
ALTER TABLE corpus_stats ADD COLUMN facts_version text NOT NULL DEFAULT '';
