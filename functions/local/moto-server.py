"""moto's standalone server, with DynamoDB requests applied one at a time.

moto_server answers each request on its own thread and its DynamoDB backend takes no lock: a
conditional write reads the item, checks the condition and writes it back, and another thread can
write in between. Under load two conditional writes could then both succeed, which DynamoDB never
allows (every write Kyso makes that must not be lost or doubled is conditional: envelope versions,
sign-in counters, idempotency keys). This wrapper gives the emulator DynamoDB's atomicity by
serialising DynamoDB calls (moto keeps tables in memory, so there is little overlap to lose);
other services stay concurrent.

It also publishes SES's `Send` event, which moto does not: when SendEmail names a configuration
set whose event destination is an SNS topic and matches "send", the event (in SES's JSON event
form, with the message's tags in mail.tags) is published to that topic as SES would, before the
answer goes back. Kyso tags each owed email with its outbox item (functions/aws/ses-mailer.ts), and
the event marks the item, so a worker that dies after SES took an email does not send it twice.

Usage: python3 moto-server.py -H 127.0.0.1 -p PORT (functions/local/moto.ts starts it).
"""

import argparse
import copy
import json
import os
import threading
import types
from datetime import datetime, timezone

from moto.ses import responses as ses_responses
from moto.sns.models import sns_backends

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class AtomicDynamoDB:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        # DynamoDB's JSON protocol names the operation in X-Amz-Target ("DynamoDB_20120810.PutItem").
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # The whole response is made inside the lock (a lazy body would run after it).
            return list(self.app(environ, start_response))


def cheap_transaction_rollback():
    """TransactWriteItems without copying the whole table.

    moto backs up every table a transaction names with copy.deepcopy before applying it (once per
    item), so its cost grows with the table: 0.19 s at 1,000 items, 2.7 s at 10,000, all of it inside
    the lock above, where every other DynamoDB call waits. The integration run creates tens of
    thousands of items, and every tenant, API key and console user is a transaction. Here only the
    items the transaction names are saved and put back if it fails; with calls applied one at a
    time (AtomicDynamoDB) that is the same all-or-nothing. Left as moto has it if its internals differ.
    """
    try:
        from moto.dynamodb import models
        from moto.dynamodb.models.dynamo_type import DynamoType
        from moto.dynamodb.models.table import Table
    except ImportError:
        return
    backend = getattr(models, "DynamoDBBackend", None)
    original = getattr(backend, "transact_write_items", None)
    if original is None or getattr(models, "copy", None) is not copy:
        return
    # The backend module's `copy`: a table is "copied" as itself (its rollback is a no-op), anything else really.
    models.copy = types.SimpleNamespace(
        copy=copy.copy,
        deepcopy=lambda x, memo=None: x if isinstance(x, Table) else copy.deepcopy(x, memo),
    )

    def saved_items(self, transact_items):
        saved = []
        for entry in transact_items:
            try:
                kind, op = next(iter(entry.items()))
                table = self.tables.get(op.get("TableName"))
                if table is None:
                    continue
                attrs = op["Item"] if kind == "Put" else op["Key"]
                hash_key = DynamoType(attrs[table.hash_key_attr])
                range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
            except Exception:  # a malformed item: moto's own validation answers for it
                continue
            current = table.items.get(hash_key)
            if range_key is not None:
                current = current.get(range_key) if current else None
            saved.append((table, hash_key, range_key, copy.deepcopy(current)))
        return saved

    def transact_write_items(self, transact_items):
        saved = saved_items(self, transact_items)
        try:
            return original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is None:
                    if item is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = item
                elif item is None:
                    if hash_key in table.items:
                        table.items[hash_key].pop(range_key, None)
                        if not table.items[hash_key]:
                            del table.items[hash_key]
                else:
                    table.items[hash_key][range_key] = item
            raise

    backend.transact_write_items = transact_write_items


def partition_queries():
    """A Query reads its partition, not the whole table.

    moto answers a Query on the table's key by listing and sorting every item of the table and
    keeping those of the partition, so each Query costs the table's size (the integration run ends
    with tens of thousands of items; the outbox polls alone query eight partitions every few
    hundred milliseconds), again inside the lock. Here the items listed are the partition's only,
    in the same order; queries on an index are left as moto has them.
    """
    try:
        from moto.dynamodb.models.table import Table
    except ImportError:
        return
    original_query = getattr(Table, "query", None)
    original_all_items = getattr(Table, "all_items", None)
    if original_query is None or original_all_items is None:
        return

    def query(self, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        self._kyso_partition = hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            del self._kyso_partition

    def all_items(self):
        partition = self.__dict__.get("_kyso_partition")
        if partition is None:
            return original_all_items(self)
        if partition not in self.items:  # not self.items[...]: a defaultdict would add the partition
            return []
        found = self.items[partition]
        if not self.range_key_attr:
            return [found]
        return sorted(found.values(), key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

    Table.query = query
    Table.all_items = all_items


def _matches_send(destination):
    """An event destination (as moto stored CreateConfigurationSetEventDestination's input) that wants Send events on SNS."""
    if str(destination.get("Enabled", "true")).lower() == "false":
        return None
    matching = destination.get("MatchingEventTypes") or []
    if isinstance(matching, dict):  # {"member": [...]}
        matching = matching.get("member") or []
    if isinstance(matching, str):
        matching = [matching]
    if "send" not in [str(t).lower() for t in matching]:
        return None
    return (destination.get("SNSDestination") or {}).get("TopicARN")


def _tags(response):
    """SendEmail's Tags ([{Name, Value}]) as SES puts them in events: {"name": ["value"]}."""
    tags = response._get_param("Tags") or []
    if isinstance(tags, dict):  # {"member": [...]}
        tags = tags.get("member") or []
    return {t["Name"]: [t.get("Value", "")] for t in tags if isinstance(t, dict) and t.get("Name")}


_send_email = ses_responses.EmailResponse.send_email


def send_email_with_events(self):
    result = _send_email(self)
    name = self._get_param("ConfigurationSetName")
    destination = self.backend.config_set_event_destination.get(name) if name else None
    topic = _matches_send(destination) if destination else None
    if topic:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        to = (self._get_param("Destination") or {}).get("ToAddresses") or []
        if isinstance(to, dict):
            to = to.get("member") or []
        event = {
            "eventType": "Send",
            "mail": {
                "timestamp": now,
                "source": self._get_param("Source"),
                "sendingAccountId": self.current_account,
                "messageId": result.result["MessageId"],
                "destination": list(to),
                "headersTruncated": False,
                "tags": {"ses:configuration-set": [name], **_tags(self)},
            },
            "send": {},
        }
        sns_backends[self.current_account][self.region].publish(json.dumps(event), arn=topic)
    return result


ses_responses.EmailResponse.send_email = send_email_with_events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    cheap_transaction_rollback()
    partition_queries()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto_server does: some responses name the server's own URL
    run_simple(args.host, args.port, AtomicDynamoDB(DomainDispatcherApplication(create_backend_app)), threaded=True)


if __name__ == "__main__":
    main()
