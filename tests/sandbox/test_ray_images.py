"""Images across the cluster: a node without an image receives it (same id) or builds it from
its own language folder; requests go only to nodes holding the image; two ids under one tag
stop the run. Only engine 2 (this test cluster's own) is ever changed."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
import ray

from sandbox.engine import DockerEngine
from sandbox.errors import ImageMismatchError
from sandbox.images import LABEL_HASH
from sandbox.languages import resolve_language
from sandbox.ray_cluster import ClusterNode
from sandbox.ray_executor import RayExecutor
from tests.sandbox.ray_support import ENGINE2, REPO, LocalCluster

pytestmark = [pytest.mark.docker, pytest.mark.ray]


def remove_from_engine2(image: str) -> None:
    DockerEngine(base_url=ENGINE2).api.remove_image(image, force=True)


def image_ids(image: str) -> tuple[str, str]:
    """The image's id on the main engine and on engine 2."""
    main, second = DockerEngine(), DockerEngine(base_url=ENGINE2)
    return main.image_id(image), second.image_id(image)


def node_on_engine2(executor: RayExecutor) -> ClusterNode:
    return next(n for n in executor.cluster.nodes if n.facts.docker_host == ENGINE2)


def test_a_node_without_the_image_receives_it_with_the_same_id(ray_cluster: LocalCluster) -> None:
    lua = resolve_language("lua")
    remove_from_engine2(lua.image)
    with RayExecutor() as executor:
        [result] = executor.prepare_images([lua])
        second = node_on_engine2(executor).name
    assert result.outcome == "shipped"
    assert result.nodes[second].startswith("received the image from"), result.nodes
    main_id, second_id = image_ids(lua.image)
    assert main_id == second_id == result.image_id


def test_requests_go_only_to_nodes_that_hold_the_image(ray_cluster: LocalCluster) -> None:
    shell = resolve_language("shell")
    remove_from_engine2(shell.image)
    try:
        with RayExecutor() as executor:
            status = executor.probe(shell)
            requests = [shell.make_request(f"echo {i}", tag=str(i)) for i in range(8)]
            outputs = sorted(r.stdout.strip() for _, r in executor.run_many(requests))
            counts = executor.counts()
            second = node_on_engine2(executor).name
    finally:
        with RayExecutor() as executor:
            executor.prepare_images([shell])
    assert status.ready and "on 1 of 2 nodes" in status.detail
    assert outputs == sorted(str(i) for i in range(8))
    assert counts[second].get(shell.image, 0) == 0
    assert sum(c.get(shell.image, 0) for c in counts.values()) == 8


def test_two_image_ids_for_one_language_stop_the_run(ray_cluster: LocalCluster) -> None:
    awk = resolve_language("awk")
    other = f"FROM {awk.image}\nLABEL {LABEL_HASH}=not-this-folder\n"  # another id, stale
    second = DockerEngine(base_url=ENGINE2)
    for chunk in second.api.build(
        fileobj=io.BytesIO(other.encode()), tag=awk.image, rm=True, decode=True, pull=False
    ):
        assert "error" not in chunk, chunk
    try:
        with RayExecutor() as executor:
            with pytest.raises(ImageMismatchError, match="differs between nodes"):
                executor.probe(awk)
            with pytest.raises(ImageMismatchError):
                list(executor.run_many([awk.make_request("BEGIN { print 1 }")]))
            [result] = executor.prepare_images([awk])  # the current image replaces the stale
            assert result.outcome == "shipped"
            assert executor.probe(awk).up_to_date
    finally:
        second.api.prune_images()  # the replaced image, now without a tag
    main_id, second_id = image_ids(awk.image)
    assert main_id == second_id


@pytest.mark.slow
def test_a_node_builds_from_its_own_language_folder(ray_cluster: LocalCluster) -> None:
    shell = resolve_language("shell")
    remove_from_engine2(shell.image)
    try:
        with RayExecutor() as executor:
            node = node_on_engine2(executor)
            built = ray.get(node.actor.build.remote("shell"), timeout=1800)
            assert built.outcome == "built", built.detail
            [facts] = ray.get(node.actor.image_facts.remote([(shell.image, shell.base_image)]))
            assert facts.content_hash == shell.content_hash()
            assert facts.toolchain and "bash" in facts.toolchain.lower()
            # built apart, it has an id of its own: a run refuses it until one image is shipped
            with pytest.raises(ImageMismatchError):
                executor.probe(shell)
    finally:
        remove_from_engine2(shell.image)
        with RayExecutor() as executor:
            executor.prepare_images([shell])
    main_id, second_id = image_ids(shell.image)
    assert main_id == second_id


def test_images_build_reports_every_node(ray_cluster: LocalCluster) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from runners.cli.main import run_app; run_app()",
            "images",
            "build",
            "--lang",
            "python",
            "--lang",
            "c",
            "--executor",
            "ray",
            "--ray-address",
            ray_cluster.address,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if " python " in f" {line} "]
    assert rows and "up-to-date" in rows[0] and rows[0].count("up-to-date") >= 3, done.stdout
