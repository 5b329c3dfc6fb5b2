"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "47ff8148b47b4777c8436c7498e13919f7d4b7a1bb2f1765e368c214886fc493"
