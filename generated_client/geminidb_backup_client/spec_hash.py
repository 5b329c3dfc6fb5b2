"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "6691eb8d5d6a4df6e569dd75f63d3fa2e8ec2d2138ed3410d152e91c115d6cd6"
