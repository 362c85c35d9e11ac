from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with a small cost, so the suite stays fast while hashing the real way."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
