"""What aws-vault keeps under each keyring key, whichever backend holds it: shared by
the fixtures that write its file backend (aws_vault_store.py) and its Secret Service
collection (aws_vault_secret_service.py). 99designs/keyring stores the same Item in
every backend; its Data (base64, Go's []byte) is aws-sdk-go-v2's aws.Credentials JSON
for long-term keys, STS's Credentials for cached sessions and OIDCTokenData for SSO
tokens. JSON is written compact, as Go's encoding/json writes it.
"""
import base64
import json


def parse(spec):
    """`KEY=ACCESS_KEY_ID:SECRET`, the fixtures' argument, as (key, key_id, secret)."""
    key, _, pair = spec.partition("=")
    key_id, _, secret = pair.partition(":")
    return key, key_id, secret


def data_for(key, key_id, secret):
    """What aws-vault puts in the Item's Data for this kind of key."""
    if key.startswith("oidc:"):
        return {
            "Token": {"AccessToken": secret, "ExpiresIn": 28800, "TokenType": "Bearer"},
            "Expiration": "2026-01-02T11:04:05Z",
        }
    if "," in key:
        return {
            "AccessKeyId": key_id,
            "SecretAccessKey": secret,
            "SessionToken": "session-token",
            "Expiration": "2026-01-02T11:04:05Z",
        }
    return {
        "AccessKeyID": key_id,
        "SecretAccessKey": secret,
        "SessionToken": "",
        "Source": "",
        "CanExpire": False,
        "Expires": "0001-01-01T00:00:00Z",
    }


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


def item(spec):
    """The key and keyring Item's JSON (bytes) for one `KEY=ACCESS_KEY_ID:SECRET`."""
    key, key_id, secret = parse(spec)
    data = compact(data_for(key, key_id, secret))
    return key, compact(
        {
            "Key": key,
            "Data": base64.b64encode(data).decode(),
            "Label": "aws-vault (%s)" % key,
            "Description": "",
            "KeychainNotTrustApplication": True,
            "KeychainNotSynchronizable": False,
        }
    )
