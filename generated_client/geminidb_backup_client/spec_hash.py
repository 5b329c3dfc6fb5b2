"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "8493b9d148a0b8858c787ddf6ca61b3f1365b2d654bad42887e8f115c5d8f586"
