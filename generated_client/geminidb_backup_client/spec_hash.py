"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "adbc079b137c5a5d7c662bec345616e25503fe794f4d9324095f3aba93b5c083"
