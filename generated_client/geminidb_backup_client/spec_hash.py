"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "1abde15548cc86091fdb7df1ba97e173144fa0f1d635bcba8f7508d7b63ede15"
