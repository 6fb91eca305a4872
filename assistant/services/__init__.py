"""One service per feature, each taking the components it needs (see ``docs/design.md``).

- ``components``: the settings' components, each built in one place on first use: the embedding
  models, the reader (and its LLM), the opened store (``store_handle``).
- ``ask``: answers (engine cache, preload, input checks, condensing follow-ups, streaming).
- ``library``: what the store holds and the only way to change it (ingest, upload, remove, list, read).
- ``perspectives``: what the sources say, grouped by claim (a thin wrapper over ``assistant.perspectives``).

``assistant.service.Service`` holds one of each for a process; the CLI and the web page call these.
"""
