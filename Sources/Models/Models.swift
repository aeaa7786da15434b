// Models: see the module's files.
