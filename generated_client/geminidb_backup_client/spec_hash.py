"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "77f3d3fa3f153aa7a3cb227bfdf204777722ced3ec8a6a60b3b703993a26d380"
