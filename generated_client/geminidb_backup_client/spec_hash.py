"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "42704c7c996e792c0aa67d5868ddb2cb17f8e74bc3d1b560bfdd8e29ccae92bb"
