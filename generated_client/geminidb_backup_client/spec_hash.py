"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "983cd33b2bf195f14e15d205bf7f6209839f5b6633608d7ea12be29a9557b836"
