"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "451a2296c69de384cdc874dbab209fae185e5e2bde96fc800b89472c0d1e8d7e"
