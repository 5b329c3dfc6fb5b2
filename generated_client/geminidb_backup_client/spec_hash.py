"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "3d495f373348074f1380068eada7068f67f591dcdb92f20d4ae46b52aa312fff"
