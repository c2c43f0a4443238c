"""Checks a verifyToken offline against the keys the stack publishes (PyJWT).

    python3 examples/check_token.py http://127.0.0.1:5080 eyJ...

Prints the claims when the signature holds; fails otherwise. Old keys stay published after a
rotation, so a token once valid stays checkable.
"""
import sys

import jwt

gateway, token = sys.argv[1], sys.argv[2]
keys = jwt.PyJWKClient(f"{gateway}/.well-known/jwks.json")
claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["ES256"])
print(claims["model"], claims["dataset"], claims["task_id"], claims["value"], claims["log_sha256"])
