"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "916e2d307eda9fd9ecd5c87d7596e9caca981a4b0eb26730f4e7464a0bd1472c"
