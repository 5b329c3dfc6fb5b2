"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "ffa334c4063f00bd09cf558bd1a3bc8a7c4885a83f155a1900954c24c26581c6"
