"""Writes aws-vault's items into a Secret Service (gnome-keyring on the test's bus) the
way 99designs/keyring's secret-service backend writes them through go-libsecret, from
those libraries' behaviour rather than from hat's reader:

- the collection is labelled with aws-vault's collection name (`awsvault` by default),
  which gnome-keyring turns into /org/freedesktop/secrets/collection/<name>;
- each item is created with Collection.CreateItem(properties, secret, replace=true):
  label = the keyring key, attributes {"profile": key}, and the secret (a "plain"
  session, empty parameters, content type "application/json") is the keyring Item's
  JSON, whose Data (base64, Go's []byte) is aws-sdk-go-v2's aws.Credentials JSON for
  long-term keys, STS's Credentials for cached sessions and OIDCTokenData for SSO
  tokens.

go-libsecret creates the collection with Service.CreateCollection, which makes
gnome-keyring ask for the new keyring's password in a dialog; a test has no one to
answer it, so the collection is made with gnome-keyring's prompt-free
CreateWithMasterPassword instead, with the same label.

usage: aws_vault_secret_service.py COLLECTION KEY=ACCESS_KEY_ID:SECRET ...
"""
import base64
import json
import sys

from jeepney import DBusAddress, DBusErrorResponse, new_method_call
from jeepney.io.blocking import open_dbus_connection

SERVICE = DBusAddress(
    "/org/freedesktop/secrets",
    bus_name="org.freedesktop.secrets",
    interface="org.freedesktop.Secret.Service",
)
PROPERTIES = SERVICE.with_interface("org.freedesktop.DBus.Properties")
INTERNAL = SERVICE.with_interface(
    "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
)


def call(conn, address, method, signature, body):
    reply = conn.send_and_get_reply(new_method_call(address, method, signature, body))
    if reply.header.message_type.name == "error":
        raise DBusErrorResponse(reply)
    return reply.body


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


def main():
    name, *items = sys.argv[1:]
    conn = open_dbus_connection(bus="SESSION")
    _, session = call(conn, SERVICE, "OpenSession", "sv", ("plain", ("s", "")))
    collection = None
    for path in call(conn, PROPERTIES, "Get", "ss", ("org.freedesktop.Secret.Service", "Collections"))[0][1]:
        if path == "/org/freedesktop/secrets/collection/" + name:
            collection = path
    if collection is None:
        (collection,) = call(
            conn,
            INTERNAL,
            "CreateWithMasterPassword",
            "a{sv}(oayays)",
            (
                {"org.freedesktop.Secret.Collection.Label": ("s", name)},
                (session, b"", b"collection password", "text/plain"),
            ),
        )
    target = DBusAddress(
        collection,
        bus_name="org.freedesktop.secrets",
        interface="org.freedesktop.Secret.Collection",
    )
    for spec in items:
        key, _, pair = spec.partition("=")
        key_id, _, secret = pair.partition(":")
        data = json.dumps(data_for(key, key_id, secret), separators=(",", ":")).encode()
        item = {
            "Key": key,
            "Data": base64.b64encode(data).decode(),
            "Label": "aws-vault (%s)" % key,
            "Description": "",
            "KeychainNotTrustApplication": True,
            "KeychainNotSynchronizable": False,
        }
        properties = {
            "org.freedesktop.Secret.Item.Label": ("s", key),
            "org.freedesktop.Secret.Item.Attributes": ("a{ss}", {"profile": key}),
        }
        secret_struct = (session, b"", json.dumps(item, separators=(",", ":")).encode(), "application/json")
        call(
            conn,
            target,
            "CreateItem",
            "a{sv}(oayays)b",
            (properties, secret_struct, True),
        )


main()
