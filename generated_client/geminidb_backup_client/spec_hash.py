"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "b14260fb57fdb374d720fe30a80214b6c2634dc35fd79fe79a22e16a46bf05bd"
