"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "5d984f2cc2d195ff0f1398893f0af81db3ea5638a05e99a20825d8eceb074e1a"
