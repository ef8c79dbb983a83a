"""moto's standalone server, with DynamoDB requests applied one at a time.

moto_server answers each request on its own thread and its DynamoDB backend takes no lock: a
conditional write reads the item, checks the condition and writes it back, and another thread can
write in between. Under load two conditional writes could then both succeed, which DynamoDB never
allows (every write Kyso makes that must not be lost or doubled is conditional: envelope versions,
sign-in counters, idempotency keys). This wrapper gives the emulator DynamoDB's atomicity by
serialising DynamoDB calls (moto keeps tables in memory, so there is little overlap to lose);
other services stay concurrent.

Usage: python3 moto-server.py -H 127.0.0.1 -p PORT (functions/local/moto.ts starts it).
"""

import argparse
import os
import threading

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto_server does: some responses name the server's own URL
    run_simple(args.host, args.port, AtomicDynamoDB(DomainDispatcherApplication(create_backend_app)), threaded=True)


if __name__ == "__main__":
    main()
