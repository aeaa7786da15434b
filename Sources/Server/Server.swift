// Server: the HTTP embeddings server (see its files).
