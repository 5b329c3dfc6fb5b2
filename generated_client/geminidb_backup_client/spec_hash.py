"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "ede0e04030a6adbbf69c7e8d2b021b59febdb68b135fde14bfb1a26956ef09f4"
