-- pgvector: the vector type and its HNSW indexes.
CREATE EXTENSION IF NOT EXISTS vector;
