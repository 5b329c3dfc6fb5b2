"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "b455e3246791dd141cbf9ebbf681064834d9934afde1923f0d5905a4ae4312fa"
