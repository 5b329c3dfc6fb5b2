"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "ea5812d2453cb3abadddae8ed98aac1404f765ae14af1a349d7d5b23b2ed111f"
