"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "356d3ddc239631588a9b750b2dbbf4335f7cc6026ca6298ac81a8d671ecece6c"
