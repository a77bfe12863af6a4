"""download_mnist against a local HTTP server on 127.0.0.1 serving tiny IDX files."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time

import numpy as np
import pytest

from minitorch.data import mnist
from minitorch.data.idx import write_idx
from minitorch.data.mnist import DownloadError, download_mnist, load_mnist


@pytest.fixture
def files(tmp_path_factory, monkeypatch):
    """Four tiny gzipped IDX files; their MD5s replace the published ones."""
    folder = tmp_path_factory.mktemp("source")
    rng = np.random.default_rng(2)
    for split, n in (("train", 8), ("test", 4)):
        image_name, label_name = mnist.IDX_FILES[split]
        write_idx(folder / f"{image_name}.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{label_name}.gz", (np.arange(n) % 10).astype(np.uint8))
    blobs = {path.name: path.read_bytes() for path in folder.iterdir()}
    checksums = {name: hashlib.md5(blob).hexdigest() for name, blob in blobs.items()}
    monkeypatch.setitem(mnist.CHECKSUMS, "mnist", checksums)
    return blobs


class Handler(http.server.BaseHTTPRequestHandler):
    """/good/NAME serves the file, /corrupt/ flips a byte, /short/ stops halfway,
    /slow/ stalls, anything else is 404."""

    blobs: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.requests.append(self.path)
        _, mode, name = self.path.split("/", 2)
        blob = self.blobs.get(name)
        if blob is None or mode not in ("good", "corrupt", "short", "slow"):
            self.send_error(404)
            return
        if mode == "corrupt":
            blob = bytes([blob[0] ^ 0xFF]) + blob[1:]
        if mode == "slow":
            time.sleep(1.0)
        self.send_response(200)
        self.send_header("Content-Length", str(len(blob)))
        self.end_headers()
        if mode == "short":
            # Promise the whole body, send half, then hang up.
            self.wfile.write(blob[: len(blob) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(blob)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the /slow/ client has gone by the time the handler writes


@pytest.fixture
def server(files, monkeypatch):
    """Base URL of a threaded server on 127.0.0.1 (ephemeral port)."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(Handler, "blobs", files)
    monkeypatch.setattr(Handler, "requests", [])
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dead_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def test_downloads_and_verifies_all_files(server, files, tmp_path):
    folder = download_mnist("mnist", root=tmp_path, mirrors=[server + "/good/"], verbose=False)
    assert folder == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    for name, blob in files.items():
        assert (tmp_path / name).read_bytes() == blob
    images, labels = load_mnist("test", "mnist", data_dir=tmp_path)
    assert images.shape == (4, 28, 28) and labels.tolist() == [0, 1, 2, 3]


def test_falls_back_to_the_next_mirror(server, tmp_path, dead_url):
    mirrors = [dead_url, server + "/missing/", server + "/good"]
    download_mnist("mnist", root=tmp_path, mirrors=mirrors, verbose=False)
    assert len(list(tmp_path.iterdir())) == 4


def test_present_verified_files_are_not_fetched_again(server, tmp_path):
    download_mnist("mnist", root=tmp_path, mirrors=[server + "/good/"], verbose=False)
    Handler.requests.clear()
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"stale")
    download_mnist("mnist", root=tmp_path, mirrors=[server + "/good/"], verbose=False)
    assert Handler.requests == ["/good/t10k-labels-idx1-ubyte.gz"]


def test_checksum_mismatch_leaves_no_file(server, tmp_path):
    with pytest.raises(DownloadError) as info:
        download_mnist("mnist", root=tmp_path, mirrors=[server + "/corrupt/"], verbose=False)
    assert "MD5 checksum mismatch" in str(info.value)
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_transfer_leaves_no_file(server, tmp_path):
    with pytest.raises(DownloadError) as info:
        download_mnist("mnist", root=tmp_path, mirrors=[server + "/short/"], verbose=False)
    assert "transfer interrupted: received" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_stalled_server_times_out(server, tmp_path):
    with pytest.raises(DownloadError, match="timed out"):
        download_mnist(
            "mnist", root=tmp_path, mirrors=[server + "/slow/"], timeout=0.2, verbose=False
        )
    assert list(tmp_path.iterdir()) == []


def test_all_mirrors_down_names_the_offline_fixes(server, tmp_path, dead_url, empty_env):
    mirrors = [dead_url, server + "/missing/"]
    with pytest.raises(DownloadError) as info:
        download_mnist("mnist", root=tmp_path, mirrors=mirrors, verbose=False)
    message = str(info.value)
    assert "every mirror failed" in message
    assert dead_url in message and "404" in message
    assert "--data-dir" in message
    assert str(empty_env / "mnist") in message
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def empty_env(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MINITORCH_DATA", str(root))
    monkeypatch.delenv("MINITORCH_MNIST_MIRRORS", raising=False)
    return root


def test_load_mnist_downloads_into_the_cache_from_env_mirrors(server, empty_env, monkeypatch):
    monkeypatch.setenv("MINITORCH_MNIST_MIRRORS", f"{server}/missing/, {server}/good/")
    with pytest.raises(FileNotFoundError):
        load_mnist("train", "mnist")
    images, labels = load_mnist("train", "mnist", download=True)
    assert images.shape == (8, 28, 28) and labels.dtype == np.int64
    assert (empty_env / "mnist" / "train-images-idx3-ubyte.gz").is_file()


def test_load_mnist_downloads_into_data_dir(server, empty_env, tmp_path, monkeypatch):
    monkeypatch.setenv("MINITORCH_MNIST_MIRRORS", server + "/good/")
    load_mnist("test", "mnist", data_dir=tmp_path / "here", download=True)
    assert len(list((tmp_path / "here").iterdir())) == 4
    assert not (empty_env / "mnist").exists()


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'embedded'"):
        download_mnist("embedded", root=tmp_path)
    with pytest.raises(ValueError, match="non-empty list of base URLs"):
        download_mnist("mnist", root=tmp_path, mirrors="http://127.0.0.1/")
    with pytest.raises(ValueError, match="non-empty list"):
        download_mnist("mnist", root=tmp_path, mirrors=[])
