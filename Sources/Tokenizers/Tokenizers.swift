// Tokenizers: see the module's files.
