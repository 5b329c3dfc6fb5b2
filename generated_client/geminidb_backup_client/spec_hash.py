"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "b53bb55f6167223f3bffc01dbab3149006b7cff40dfffc92d83e9fc10130db44"
