"""Writes an aws-vault file-backend store, as 99designs/keyring's file backend does,
from the format rather than from hat's reader: one file per keyring item, named by
the item key with `%` and `/` percent-escaped, holding a compact JWE (jwcrypto;
PBES2-HS256+A128KW, A256GCM) of the Item's JSON, whose Data (base64, Go's []byte)
is aws-sdk-go-v2's aws.Credentials JSON.

usage: aws_vault_store.py DIR PASSPHRASE KEY=ACCESS_KEY_ID:SECRET ...
"""
import base64
import json
import os
import sys

from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode


def escape(key):
    return key.replace("%", "%25").replace("/", "%2F")


def main():
    directory, passphrase, *items = sys.argv[1:]
    os.makedirs(directory, mode=0o700, exist_ok=True)
    password = jwk.JWK.from_password(passphrase)
    for spec in items:
        key, _, pair = spec.partition("=")
        key_id, _, secret = pair.partition(":")
        creds = {
            "AccessKeyID": key_id,
            "SecretAccessKey": secret,
            "SessionToken": "",
            "Source": "",
            "CanExpire": False,
            "Expires": "0001-01-01T00:00:00Z",
        }
        item = {
            "Key": key,
            "Data": base64.b64encode(json.dumps(creds).encode()).decode(),
            "Label": "aws-vault (%s)" % key,
            "Description": "",
            "KeychainNotTrustApplication": True,
            "KeychainNotSynchronizable": False,
        }
        header = {
            "alg": "PBES2-HS256+A128KW",
            "enc": "A256GCM",
            "p2c": 8192,
            "created": "2026-01-02 03:04:05.000000 +0000 UTC",
        }
        token = jwe.JWE(json.dumps(item).encode(), protected=json_encode(header))
        token.add_recipient(password)
        path = os.path.join(directory, escape(key))
        with open(path, "w") as f:
            f.write(token.serialize(compact=True))
        os.chmod(path, 0o600)


main()
