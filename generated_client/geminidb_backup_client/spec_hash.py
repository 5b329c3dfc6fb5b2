"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "0bcdf39f950940fcecc7074cca993bf2ff1ac676dcf7ae6bf2e5c7b606d47559"
