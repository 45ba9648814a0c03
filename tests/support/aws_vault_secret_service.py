"""Writes aws-vault's items into a Secret Service (gnome-keyring on the test's bus) the
way 99designs/keyring's secret-service backend writes them through go-libsecret, from
those libraries' behaviour rather than from hat's reader:

- the collection is labelled with aws-vault's collection name (`awsvault` by default),
  which gnome-keyring turns into /org/freedesktop/secrets/collection/<name>;
- each item is created with Collection.CreateItem(properties, secret, replace=true):
  label = the keyring key, attributes {"profile": key}, and the secret (a "plain"
  session, empty parameters, content type "application/json") is the keyring Item's
  JSON (aws_vault_items.py).

go-libsecret creates the collection with Service.CreateCollection, which makes
gnome-keyring ask for the new keyring's password in a dialog; a test has no one to
answer it, so the collection is made with gnome-keyring's prompt-free
CreateWithMasterPassword instead, with the same label.

usage: aws_vault_secret_service.py COLLECTION KEY=ACCESS_KEY_ID:SECRET ...
"""
import sys

from jeepney import DBusAddress, DBusErrorResponse, new_method_call
from jeepney.io.blocking import open_dbus_connection

# The shared module is imported from the source tree, which it must not litter.
sys.dont_write_bytecode = True
import aws_vault_items  # noqa: E402

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
        key, payload = aws_vault_items.item(spec)
        properties = {
            "org.freedesktop.Secret.Item.Label": ("s", key),
            "org.freedesktop.Secret.Item.Attributes": ("a{ss}", {"profile": key}),
        }
        secret_struct = (session, b"", payload, "application/json")
        call(
            conn,
            target,
            "CreateItem",
            "a{sv}(oayays)b",
            (properties, secret_struct, True),
        )


main()
