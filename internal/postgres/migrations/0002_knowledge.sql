-- The policy corpus: documents, their chunks with Go-made tokens, per-model
-- embeddings, lexical statistics, curated FAQs and the questions log.
CREATE TABLE documents (
    id           bigserial PRIMARY KEY,
    title        text NOT NULL,
    doc_number   text NOT NULL DEFAULT '',
    issuer       text NOT NULL DEFAULT '',
    effective_on date,
    expires_on   date,
    source       text NOT NULL DEFAULT '',
    file_name    text NOT NULL DEFAULT '',
    content_hash text NOT NULL,
    title_tokens tsvector NOT NULL DEFAULT ''::tsvector,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'superseded', 'retired')),
    replaced_by  bigint REFERENCES documents (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE UNIQUE INDEX documents_active_hash ON documents (content_hash) WHERE status = 'active';
CREATE INDEX documents_active_title ON documents (title) WHERE status = 'active';

CREATE TABLE chunks (
    id          bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal     int NOT NULL,
    heading     text NOT NULL DEFAULT '',
    article     text NOT NULL DEFAULT '',
    body        text NOT NULL,
    token_count int NOT NULL,
    tokens      tsvector NOT NULL,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_tokens ON chunks USING gin (tokens);

-- Document frequency of each token (body and title) over the chunks of active documents, and
-- the corpus totals, kept in step by ingest, supersede and retire (BM25).
CREATE TABLE lexicon (
    term text PRIMARY KEY,
    df   int NOT NULL
);
CREATE TABLE corpus_stats (
    id     int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    chunks bigint NOT NULL DEFAULT 0,
    tokens bigint NOT NULL DEFAULT 0
);
INSERT INTO corpus_stats DEFAULT VALUES;

CREATE TABLE embedding_models (
    id         serial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    dims       int NOT NULL CHECK (dims BETWEEN 1 AND 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    ready_at   timestamptz
);

-- No fixed dimension: every model keeps its own vectors, each model gets a
-- partial HNSW index on (embedding::vector(dims)) WHERE model_id = id.
CREATE TABLE embeddings (
    chunk_id  bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    model_id  int NOT NULL REFERENCES embedding_models (id),
    embedding vector NOT NULL,
    PRIMARY KEY (model_id, chunk_id)
);

CREATE TABLE faqs (
    id         bigserial PRIMARY KEY,
    question   text NOT NULL,
    answer     text NOT NULL,
    basis      text NOT NULL DEFAULT '',
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE questions (
    id         bigserial PRIMARY KEY,
    message_id bigint,
    channel    text NOT NULL DEFAULT '',
    chat       text NOT NULL DEFAULT '',
    asker      text NOT NULL DEFAULT '',
    question   text NOT NULL,
    searched   text NOT NULL DEFAULT '',
    answer     text NOT NULL,
    answered   boolean NOT NULL,
    source     text NOT NULL DEFAULT '',
    reason     text NOT NULL DEFAULT '',
    cited      jsonb NOT NULL DEFAULT '[]',
    top_score  double precision NOT NULL DEFAULT 0,
    model      text NOT NULL DEFAULT '',
    latency_ms int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_unanswered ON questions (created_at) WHERE NOT answered;
