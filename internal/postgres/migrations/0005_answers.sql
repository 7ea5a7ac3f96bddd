-- Facts about documents and chunks read once at ingest: the places a
-- document is of (NULL for documents added before: read from the title at
-- query time), and chunks that read as instructions to an assistant.
ALTER TABLE documents ADD COLUMN places text[];
ALTER TABLE chunks ADD COLUMN instruction boolean NOT NULL DEFAULT false;
