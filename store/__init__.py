"""Reading articles, incremental ingestion, and the Chroma client."""
