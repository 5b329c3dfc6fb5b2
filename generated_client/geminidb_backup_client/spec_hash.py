"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "c202733e539efe76fb94aac25c0be38bf7fbf66ddc6f721500d27dcee311e05d"
