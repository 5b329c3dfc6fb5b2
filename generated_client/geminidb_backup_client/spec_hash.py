"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "0d179a09d94c7a2efef23f7e4a598e4ce5673098e556da1561bc10e957282233"
