"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "252243483f3180591bcdb9fc57f451b66a6f37e60a7898afde80b59769db7936"
