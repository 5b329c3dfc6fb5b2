"""Hand-written tooling around the generated GeminiDB backup client.

The OpenAPI document shipped in this package (``openapi.yaml``) is the single source of every
constraint the tooling applies; see :mod:`geminidb_backup.spec`.
"""

__all__: list[str] = []
