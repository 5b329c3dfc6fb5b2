"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "f7a1bc6092f89887145ecd6b755aa79ae733205ad521b039540cdd143b3449d1"
