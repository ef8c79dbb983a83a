"""moto's standalone server, with DynamoDB requests applied one at a time, and cheap per call.

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

Every call the service, the tests and the benchmarks make goes through this one Python process,
so what moto spends per call bounds them all. The patches below keep every answer as moto gives it
and remove only work that does not change it (each function's docstring says why it is safe):
- cheap_transaction_rollback: TransactWriteItems saves the items it names, not a deep copy of the table;
- partition_queries: a Query on the table's key lists its partition, not the whole table, narrowed by its sort-key
  condition, and deep-copies only the items its FilterExpression keeps;
- keep_alive_handler: connections stay open between requests (werkzeug closed each one), answers are
  written in one piece with TCP_NODELAY;
- cheap_dispatch: the service of a request is found once per host, not by listing moto's directory;
- cached_action_names: a response class's action methods are listed once, not per call;
- cached_attribute_keys: the serialiser finds a dict member's possible names once per shape, not per value;
- direct_attribute_values: DynamoDB's AttributeValues are written straight from moto's dicts, as the serialiser would;
- quiet_requests: no access-log line per request (the output is discarded anyway).
If moto's internals differ from what a patch expects, that patch leaves moto as it is.
`test/bench/moto-calls.ts` measures wall and moto CPU per call by kind (`npm run bench` prints it first).
KYSO_MOTO_PROFILE=<file> writes a cProfile of request handling (pstats) there when the server stops.

Usage: python3 moto-server.py -H 127.0.0.1 -p PORT (functions/local/moto.ts starts it).
"""

import argparse
import bisect
import copy
import json
import os
import threading
import types
from collections import defaultdict
from datetime import datetime, timezone

from moto.ses import responses as ses_responses
from moto.sns.models import sns_backends

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class KeyedPartition(dict):
    """One partition of a table with a sort key: moto's dict of items by sort key, which also keeps its
    keys in order between changes of its key set (an item replaced or updated under its key keeps its
    place), so a Query neither sorts the partition nor tests every item against a `begins_with`.
    The order is moto's own (DynamoType's comparison); a `begins_with` on string keys is two bisections
    over the keys' values (the strings that start with p are those from p up to, not including, p with
    its last character incremented: code-point order, which is also UTF-8 byte order, DynamoDB's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sorted = None

    def __setitem__(self, key, value):
        if key not in self:
            self._sorted = None
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._sorted = None
        super().__delitem__(key)

    def pop(self, *args):
        self._sorted = None
        return super().pop(*args)

    def popitem(self):
        self._sorted = None
        return super().popitem()

    def clear(self):
        self._sorted = None
        super().clear()

    def update(self, *args, **kwargs):
        self._sorted = None
        super().update(*args, **kwargs)

    def setdefault(self, key, default=None):
        if key not in self:
            self._sorted = None
        return super().setdefault(key, default)

    def __reduce__(self):  # deepcopy/pickle (a table backup): a plain dict of the same items, order rebuilt on use
        return (KeyedPartition, (dict(self),))

    def _order(self):
        if self._sorted is None:
            keys = sorted(self.keys())
            strings = [k.value for k in keys] if all(k.type == "S" for k in keys) else None
            self._sorted = (keys, strings)
        return self._sorted

    def keys_where(self, comparison, objs):
        keys, strings = self._order()
        if not comparison:
            return keys
        if comparison.upper() == "BEGINS_WITH" and strings is not None and objs and objs[0].type == "S" and objs[0].value:
            prefix = objs[0].value
            end = prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else None
            lo = bisect.bisect_left(strings, prefix)
            hi = bisect.bisect_left(strings, end, lo) if end is not None else len(strings)
            return keys[lo:hi]
        return [k for k in keys if k.compare(comparison, objs)]


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

    Within the partition, moto then sizes every item (for the 1 MB page limit) before testing the
    sort-key condition, and deep-copies every item it kept before applying the FilterExpression. An
    outbox shard holds a bulk send's whole backlog (thousands of items), and the worker asks for one
    envelope's items (`begins_with`) or for the due ones (a filter) many times a second: each of those
    cost the whole shard. Here the partition is listed already narrowed by the sort-key condition (the
    test moto's loop makes, with the same method), and the copy skips what the filter drops (it is
    applied to the copies again, as before). The answers are moto's, items, order, counts and pages,
    except where moto would have ended a page at an item the key condition excludes because that
    item's size took the page past 1 MB; DynamoDB does not count such items, so neither does this.
    """
    try:
        from moto.dynamodb.models import table as table_module
        from moto.dynamodb.models.table import Table
    except ImportError:
        return
    # Keyword arguments of Table.query this patch knows (moto passes them from the backend's query).
    QUERY_ARGS = {"index_name", "consistent_read", "filter_expression", "hash_key_conditions", "range_key_conditions"}
    original_query = getattr(Table, "query", None)
    original_all_items = getattr(Table, "all_items", None)
    if original_query is None or original_all_items is None:
        return

    def query(self, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        # As the backend calls it: (hash_key, range_comparison, range_objs, limit, exclusive_start_key,
        # scan_index_forward, projection_expressions, index_name, consistent_read, filter_expression, …).
        range_comparison = args[0] if args else None
        range_objs = args[1] if len(args) > 1 else None
        filter_expression = args[8] if len(args) > 8 else kwargs.get("filter_expression")
        conditions = kwargs.get("range_key_conditions") or []
        # Narrowed by the sort key ahead of moto's loop only in the form whose loop tests exactly that:
        # the table's own sort key, no legacy QueryFilter (its loop keeps items by the filter instead).
        narrow = (
            range_comparison
            and range_objs is not None
            and all(name == self.range_key_attr for name, *_ in conditions)
            and len(conditions) <= 1
            and not any(k not in QUERY_ARGS for k in kwargs)
        )
        self._kyso_partition = (hash_key, range_comparison if narrow else None, range_objs)
        try:
            if filter_expression is None or table_module.copy is not copy:
                return original_query(self, hash_key, *args, **kwargs)
            # moto deep-copies every item it read, then filters: the items the filter drops are not copied.
            table_module.copy = types.SimpleNamespace(
                copy=copy.copy,
                deepcopy=lambda x, memo=None: copy.deepcopy([i for i in x if filter_expression.expr(i)], memo),
            )
            try:
                return original_query(self, hash_key, *args, **kwargs)
            finally:
                table_module.copy = copy
        finally:
            del self._kyso_partition

    def all_items(self):
        query = self.__dict__.get("_kyso_partition")
        if query is None:
            return original_all_items(self)
        partition, range_comparison, range_objs = query
        if partition not in self.items:  # not self.items[...]: a defaultdict would add the partition
            return []
        found = self.items[partition]
        if not self.range_key_attr:
            return [found]
        if not isinstance(found, KeyedPartition):
            items = found.values()
            if range_comparison:
                items = [x for x in items if x.range_key is not None and x.range_key.compare(range_comparison, range_objs)]
            return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)
        return [found[k] for k in found.keys_where(range_comparison, range_objs)]

    original_init = Table.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if isinstance(self.items, defaultdict) and self.items.default_factory is dict and not self.items:
            self.items.default_factory = KeyedPartition

    Table.__init__ = init

    Table.query = query
    Table.all_items = all_items


def cheap_dispatch():
    """The service of a request found once per host, not by listing moto's package directory every time.

    moto_server's dispatcher (DomainDispatcherApplication.get_backend_for_host) asks, for every
    request, whether the host it inferred ("dynamodb", "kms.ap-southeast-1.amazonaws.com") is one of
    moto's modules by listing moto's package directory and stat-ing each of its ~190 entries, then
    tries every service's URL patterns in turn, all under the dispatcher's one lock. The answer
    depends only on the host string and on files that do not change while the server runs, so the
    module list is read once and each host's backend is remembered (at most 1,024 hosts; Kyso uses
    path-style S3, so there are a handful). Same backend for every host as before.
    """
    from moto import backends

    original_list = getattr(backends, "list_of_moto_modules", None)
    original_get = getattr(DomainDispatcherApplication, "get_backend_for_host", None)
    if original_list is None or original_get is None:
        return
    modules = frozenset(original_list())
    backends.list_of_moto_modules = lambda: modules
    found = {}

    def get_backend_for_host(self, host):
        if host is None:
            return None
        if host in found:
            return found[host]
        backend = original_get(self, host)
        if len(found) < 1024:
            found[host] = backend
        return backend

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


def keep_alive_handler():
    """A request handler that keeps the connection open between requests (HTTP/1.1 keep-alive).

    werkzeug's development server, which moto_server runs, answers every request with
    "Connection: close" (its http.server base cannot tell where a request's body ends), then waits
    up to 10 ms for the client to hang up. The AWS SDK keeps its connections alive, so every call
    paid a new TCP connection and a new server thread, and the thread its 10 ms wait. Here a request
    whose body length is known (Content-Length, or no body: every call the AWS SDK makes with a
    buffered body) is answered on a connection that stays open: the app reads the body through a
    stream limited to that length, whatever it left unread is read before the next request, and
    the answer always says its length. The app and so every answer are the same; only the framing
    differs (Content-Length where werkzeug would have used chunked encoding for an answer without
    one). A request sent chunked or asking for 100-continue goes to werkzeug's own handling, which
    closes the connection as before; when the app fails, the answer is werkzeug's 500 and the
    connection is closed.
    """
    import socket
    import sys
    import traceback

    from werkzeug.exceptions import InternalServerError
    from werkzeug.serving import WSGIRequestHandler
    from werkzeug.wsgi import LimitedStream

    class KeepAliveHandler(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def run_wsgi(self):
            length = self.headers.get("Content-Length")
            if (
                self.headers.get("Transfer-Encoding")
                or self.headers.get("Expect")
                or (length is not None and not length.strip().isdigit())
            ):
                return super().run_wsgi()
            self.environ = environ = self.make_environ()
            body = LimitedStream(self.rfile, int(length or 0))
            environ["wsgi.input"] = body
            started = []

            def start_response(status, headers, exc_info=None):
                if exc_info and started:
                    raise exc_info[1].with_traceback(exc_info[2])
                started[:] = [status, headers]
                return lambda data: chunks.append(data)  # the legacy write(): collected with the rest

            chunks = []
            try:
                result = self.server.app(environ, start_response)
                try:
                    chunks.extend(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
                if not started:
                    raise AssertionError("the application returned without start_response")
            except Exception:
                # Nothing was written yet: answer 500 as werkzeug does, log, and close the connection.
                sys.stderr.write(f"Error on request:\n{traceback.format_exc()}")
                self.close_connection = True
                chunks = []
                result = InternalServerError()(environ, start_response)
                chunks.extend(result)
            body.exhaust()  # what the app did not read, so the next request starts where it should
            status, headers = started
            code, _, message = status.partition(" ")
            self.send_response(int(code), message)
            named = set()
            for key, value in headers:
                self.send_header(key, value)
                named.add(key.lower())
            content = b"".join(chunks)
            if "content-length" not in named and environ["REQUEST_METHOD"] != "HEAD" and int(code) >= 200 and int(code) not in (204, 304):
                self.send_header("Content-Length", str(len(content)))
            if self.close_connection:
                self.send_header("Connection", "close")
            # Head and body in one write: as two small writes on a kept-alive connection, the second waits for the
            # client's delayed ACK of the first (Nagle), ~40 ms a call.
            self.wfile.write(b"".join([*self._headers_buffer, b"\r\n", content]))
            self._headers_buffer = []
            self.wfile.flush()

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle wait on any write

    return KeepAliveHandler


def cached_action_names():
    """The action methods of a response class listed once per class, not on every call.

    moto's BaseResponse.call_action lists every function of the response class with
    inspect.getmembers (hundreds of attributes) on every request to check that the action is one
    of them. The classes are fixed once the server runs (this file's own patches are made before
    it serves), so each class's list is computed once and the same list is returned after.
    """
    from moto.core import responses

    original = getattr(responses, "method_names_from_class", None)
    if original is None:
        return
    names = {}

    def method_names_from_class(clazz):
        if clazz not in names:
            names[clazz] = original(clazz)
        return names[clazz]

    responses.method_names_from_class = method_names_from_class


def cached_attribute_keys():
    """moto's response serialiser looks up each dict member's possible names once per shape, not once per value.

    moto (5.x) writes most answers through a generic serialiser driven by the botocore model: for
    every member of every structure it asks six alias providers which attribute names the value
    might be under (the member's name, its model name, the shape's name, prefixes of the parent's
    or the class's name, each also in snake_case), building an object per provider per member. A
    DynamoDB item is a map of AttributeValue structures of ten members each, so a Query of twenty
    items made thousands of these lookups: about half of moto's CPU for a sign request. For a value
    that is a plain dict (all of DynamoDB's answers), every provider's answer depends only on the
    member's key, its shape and the shape's parent (a dict has no Meta aliases, and its class name
    is always "dict"), so the list of names is computed once per (picker kind, providers, shape,
    parent, key) and reused; the value is still taken from the dict the same way, first name
    found first, and the response transformers still apply. Values that are not plain dicts go the
    usual way.
    """
    try:
        from moto.core.serialize import MISSING, AttributePicker, get_value
    except ImportError:
        return
    original_call = getattr(AttributePicker, "__call__", None)
    if original_call is None or not hasattr(AttributePicker, "get_possible_keys"):
        return
    names = {}

    def __call__(self, context):
        obj = context.obj
        if type(obj) is not dict:
            return original_call(self, context)
        shape = context.shape
        # Shapes hash by identity and are kept alive by the key, so an id is never reused for another shape.
        cache_key = (type(self), tuple(self.alias_providers), shape, getattr(shape, "parent", None), context.key)
        keys = names.get(cache_key)
        if keys is None:
            try:
                keys = tuple(self.get_possible_keys(context))  # all of them: moto's generator stops at the first found
            except Exception:  # a provider that only works lazily for this shape: moto's own way
                return original_call(self, context)
            if len(names) < 100_000:
                names[cache_key] = keys
        for possible_key in keys:
            value = get_value(obj, possible_key, MISSING)
            if value is not MISSING:
                break
        else:
            value = None
        if self.response_transformers:
            key_path = f"{context.key_path}.{context.key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    value = transform(value)
                    break
        return value

    AttributePicker.__call__ = __call__


def direct_attribute_values():
    """DynamoDB's AttributeValues written straight from moto's dicts, not member by member through the model.

    Every attribute of every item DynamoDB answers (GetItem, Query, the old or new item of a
    write, a cancelled transaction's items) is an AttributeValue: a structure of ten members (S,
    N, B, SS, NS, BS, M, L, NULL, BOOL) of which moto's dict holds one. moto's generic serialiser
    looks each of the ten up through its attribute picker, recursively for maps and lists, which
    was most of what moto spent on a DynamoDB answer even with cached_attribute_keys. Here a dict
    whose keys are all members of the shape is written as the generic serialiser writes it: in the
    shape's member order, members that are None left out, strings, numbers and booleans as they
    are, binaries base64-encoded, string sets as lists, binary sets as lists of base64, maps and
    lists recursively. Anything else (a key the shape does not have, a value of another kind, an
    answer that moto's response transformers touch, another service) goes the generic way.
    """
    try:
        from moto.core.serialize import BaseJSONSerializer
    except ImportError:
        return
    original = getattr(BaseJSONSerializer, "_serialize_type_structure", None)
    if original is None:
        return

    class Generic(Exception):
        pass

    def attribute_value(self, value, shape):
        members = shape.members
        for name in value:
            if name not in members:
                raise Generic()
        out = {}
        for name, member in members.items():
            if name not in value:
                continue
            item = value[name]
            if item is None:
                continue
            if member.serialization:
                raise Generic()
            kind = member.type_name
            if kind in ("string", "boolean"):
                out[name] = item
            elif kind == "blob":
                out[name] = self._base64(item)
            elif kind == "list" and member.member.type_name == "string" and not member.member.serialization:
                out[name] = list(item)
            elif kind == "list" and member.member.type_name == "blob" and not member.member.serialization:
                if any(x is None for x in item):
                    raise Generic()
                out[name] = [self._base64(x) for x in item]
            elif kind == "list" and member.member.name == "AttributeValue":
                if any(type(x) is not dict for x in item):
                    raise Generic()
                out[name] = [attribute_value(self, x, member.member) for x in item]
            elif kind == "map" and member.value.name == "AttributeValue" and type(item) is dict:
                if any(type(x) is not dict for x in item.values()) or member.value.serialization:
                    raise Generic()
                out[name] = {k: attribute_value(self, x, member.value) for k, x in item.items()}
            else:
                raise Generic()
        return out

    def _serialize_type_structure(self, serialized, value, shape, key):
        if (
            type(value) is dict
            and shape.name == "AttributeValue"
            and not shape.serialization
            and self.operation_model.service_model.service_name == "dynamodb"
            and not getattr(self._value_picker, "response_transformers", None)
        ):
            try:
                out = attribute_value(self, value, shape)
            except Generic:
                return original(self, serialized, value, shape, key)
            if key:
                serialized[self.get_serialized_name(shape, key)] = out
            else:
                serialized.update(out)
            return None
        return original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure


def quiet_requests():
    """No access-log line per request: moto.ts starts the server with its output ignored, and formatting
    the line (the IRI of the path, the date, ANSI styles) costs every request. Errors are still logged."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.log_request = lambda self, code="-", size="-": None


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


def profile_requests(handler, path):
    """KYSO_MOTO_PROFILE=<file>: each request's handling (the environ, the dispatch, the backend, the answer written)
    under cProfile, summed over all requests and written to <file> (pstats) when the server stops (SIGTERM).
    Tracing makes every call several times slower, most where the most calls are made: read it for where
    the calls go, not for absolute times. A measuring aid; off unless the variable is set."""
    import cProfile
    import pstats
    import signal
    import sys

    total = []
    lock = threading.Lock()
    base_run_wsgi = handler.run_wsgi

    def run_wsgi(self):
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return base_run_wsgi(self)
        finally:
            profiler.disable()
            with lock:
                if total:
                    total[0].add(profiler)
                else:
                    total.append(pstats.Stats(profiler))

    def dump(*_):
        with lock:
            if total:
                total[0].dump_stats(path)
        sys.exit(0)

    handler.run_wsgi = run_wsgi
    signal.signal(signal.SIGTERM, dump)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    cheap_transaction_rollback()
    partition_queries()
    cheap_dispatch()
    cached_action_names()
    cached_attribute_keys()
    direct_attribute_values()
    quiet_requests()
    handler = keep_alive_handler()
    if os.environ.get("KYSO_MOTO_PROFILE"):
        profile_requests(handler, os.environ["KYSO_MOTO_PROFILE"])
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto_server does: some responses name the server's own URL
    app = AtomicDynamoDB(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=handler)


if __name__ == "__main__":
    main()
