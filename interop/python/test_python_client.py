"""python-socketio (sync client) against the conformance server, over WebSocket and over polling;
then the same with python-socketio's msgpack serializer against the server started with the
MessagePack parser (socket.io-msgpack-parser's wire format, written by msgpack-python).

Run through interop/run.mjs, which sets INTEROP_URL and INTEROP_MSGPACK_URL.
"""

import os
import queue
import unittest

import socketio

URL = os.environ.get("INTEROP_URL", "")
MSGPACK_URL = os.environ.get("INTEROP_MSGPACK_URL", "")
HANG_GUARD_S = 20


class Client:
    """A python-socketio client that queues every `auth` and `message-back` it receives."""

    def __init__(self, namespace, serializer="default"):
        self.sio = socketio.Client(reconnection=False, serializer=serializer)
        self.received = {"auth": queue.Queue(), "message-back": queue.Queue()}
        self.disconnects = queue.Queue()
        for event, q in self.received.items():
            self.sio.on(event, self._queue_into(q), namespace=namespace)
        self.sio.on("disconnect", lambda *reason: self.disconnects.put(reason), namespace=namespace)

    @staticmethod
    def _queue_into(q):
        def handler(*args):
            q.put(list(args))

        return handler

    def next(self, event):
        return self.received[event].get(timeout=HANG_GUARD_S)


class PythonClientContract:
    """The same scenarios for each transport; subclasses set TRANSPORT."""

    TRANSPORT = ""
    SERIALIZER = "default"

    def url(self):
        return URL

    def connect(self, namespace="/", auth=None):
        client = Client(namespace, self.SERIALIZER)
        client.sio.connect(
            self.url(),
            transports=[self.TRANSPORT],
            namespaces=[namespace],
            auth=auth,
            wait_timeout=HANG_GUARD_S,
        )
        self.addCleanup(client.sio.disconnect)
        return client

    def test_connect_without_auth_gets_empty_auth_back(self):
        client = self.connect()
        self.assertTrue(client.sio.connected)
        self.assertEqual(client.sio.transport(), self.TRANSPORT)
        self.assertEqual(client.next("auth"), [{}])

    def test_connect_to_custom_with_auth_gets_it_back(self):
        auth = {"token": "pyth0n-€", "n": 7, "list": [1, None, "x"]}
        client = self.connect("/custom", auth=auth)
        self.assertEqual(client.next("auth"), [auth])

    def test_emit_with_ack_returns_the_same_arguments(self):
        client = self.connect()
        reply = client.sio.call("message-with-ack", ("a", 1, {"k": ["v", 2.5]}, None), timeout=HANG_GUARD_S)
        self.assertEqual(list(reply), ["a", 1, {"k": ["v", 2.5]}, None])
        single = client.sio.call("message-with-ack", "only one", timeout=HANG_GUARD_S)
        self.assertEqual(single, "only one")

    def test_message_back_with_unicode_and_json(self):
        client = self.connect()
        args = ["héllo wörld 🌍 日本語", {"nested": {"deep": [True, False, -3, 1e-7]}}, ""]
        client.sio.emit("message", tuple(args))
        self.assertEqual(client.next("message-back"), args)

    def test_binary_round_trip(self):
        client = self.connect()
        blob = bytes(range(256)) * 4
        client.sio.emit("message", (blob, {"inner": [b"\x00\x01", "text"]}, b""))
        got = client.next("message-back")
        self.assertEqual(got, [blob, {"inner": [b"\x00\x01", "text"]}, b""])
        self.assertIsInstance(got[0], bytes)

    def test_binary_in_ack(self):
        client = self.connect()
        reply = client.sio.call("message-with-ack", (b"\xff\xfe", "x"), timeout=HANG_GUARD_S)
        self.assertEqual(list(reply), [b"\xff\xfe", "x"])

    def test_disconnect(self):
        client = self.connect()
        client.next("auth")
        client.sio.disconnect()
        client.disconnects.get(timeout=HANG_GUARD_S)
        self.assertFalse(client.sio.connected)
        # A new client connects fine afterwards: the server kept no broken state.
        again = self.connect()
        self.assertEqual(again.next("auth"), [{}])


class WebSocketTransport(PythonClientContract, unittest.TestCase):
    TRANSPORT = "websocket"


class PollingTransport(PythonClientContract, unittest.TestCase):
    TRANSPORT = "polling"


class MsgPackContract(PythonClientContract):
    """The contract with python-socketio's msgpack serializer and the MessagePack server."""

    SERIALIZER = "msgpack"

    def url(self):
        self.assertTrue(MSGPACK_URL, "INTEROP_MSGPACK_URL is not set: run through interop/run.mjs")
        return MSGPACK_URL


class MsgPackWebSocketTransport(MsgPackContract, unittest.TestCase):
    TRANSPORT = "websocket"


class MsgPackPollingTransport(MsgPackContract, unittest.TestCase):
    TRANSPORT = "polling"
