"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "24dbb49772224a62c4f55c402b4b50c2e6ddda9d361e75103052f1dfb9d06cf0"
