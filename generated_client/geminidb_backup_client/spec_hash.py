"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "55a2c6c1fccd9e3ac89dc0ce8902d47c2a022c2c001f1548f125ff4d42b10506"
