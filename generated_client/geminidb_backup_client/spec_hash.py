"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "b3b9ab3fa4c874985a78737536c41582bad5b496355fa5941b7105d4ad14f61e"
