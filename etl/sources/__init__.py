"""Where curated events come from: the source registry (``sources.toml``) and its kinds.

``registry`` reads the registry; ``collect`` gives each source's files (a local folder, or a
fetch through ``http`` into the ``cache``, converted by ``json_rows`` or ``sec``);
``incremental`` decides whether a rebuild is needed; ``labels`` names files by source; and
``run`` ties them into one logged refresh. docs/sources.md is the user's guide.
"""
