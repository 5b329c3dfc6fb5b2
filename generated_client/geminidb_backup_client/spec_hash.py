"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "5f442166cc97dd96a55370fdb610024659cccb99add85ed8492f1852b4e5fce9"
