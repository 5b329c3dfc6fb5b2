"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "f827021a5e0ae12d60570a7dca752e8e6e81f1ab9f05544d499a7f2dd88d4500"
