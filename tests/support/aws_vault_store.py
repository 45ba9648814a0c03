"""Writes an aws-vault file-backend store, as 99designs/keyring's file backend does,
from the format rather than from hat's reader: one file per keyring item, named by
the item key with `%` and `/` percent-escaped, holding a compact JWE (jwcrypto;
PBES2-HS256+A128KW, A256GCM) of the keyring Item's JSON (aws_vault_items.py).

usage: aws_vault_store.py DIR PASSPHRASE KEY=ACCESS_KEY_ID:SECRET ...
"""
import os
import sys

from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

# The shared module is imported from the source tree, which it must not litter.
sys.dont_write_bytecode = True
import aws_vault_items  # noqa: E402


def escape(key):
    return key.replace("%", "%25").replace("/", "%2F")


def main():
    directory, passphrase, *items = sys.argv[1:]
    os.makedirs(directory, mode=0o700, exist_ok=True)
    password = jwk.JWK.from_password(passphrase)
    for spec in items:
        key, payload = aws_vault_items.item(spec)
        header = {
            "alg": "PBES2-HS256+A128KW",
            "enc": "A256GCM",
            "p2c": 8192,
            "created": "2026-01-02 03:04:05.000000 +0000 UTC",
        }
        token = jwe.JWE(payload, protected=json_encode(header))
        token.add_recipient(password)
        path = os.path.join(directory, escape(key))
        with open(path, "w") as f:
            f.write(token.serialize(compact=True))
        os.chmod(path, 0o600)


main()
