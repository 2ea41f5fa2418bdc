"""The `storyreel` command: render a story into a film, or serve the whole stack."""
