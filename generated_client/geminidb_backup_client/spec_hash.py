"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "e9f634dc1e6832af67d8d2d66f63125bd771727180b907d93692813c0a5f5ade"
