"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "177acbcb5a8283adc799dcf6c30e5d081b5c230ae8106988b2db4323715b0d54"
