"""Graph layout for the Network page: a small force-directed (Fruchterman-Reingold) layout.

Written with numpy rather than taking networkx as a dependency: the page lays out at most a
few hundred nodes, for which an O(n^2) iteration is milliseconds. It is deterministic (the
nodes start on a circle in the order given), so a view looks the same on every rerun.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def circle(count: int) -> np.ndarray:
    """``count`` points evenly on the unit circle, the first one at the top."""
    if count == 0:
        return np.zeros((0, 2))
    angles = np.pi / 2 - 2 * np.pi * np.arange(count) / count
    return np.column_stack([np.cos(angles), np.sin(angles)])


def spring(
    count: int,
    edges: Sequence[tuple[int, int, float]],
    *,
    iterations: int = 150,
) -> np.ndarray:
    """Positions (``count`` x 2, within [-1, 1]) for nodes joined by weighted ``edges``.

    Edges are ``(i, j, weight)`` with weights in (0, 1]; heavier edges pull harder. Nodes
    repel each other, so unconnected groups drift apart instead of overlapping.
    """
    pos = circle(count)
    if count <= 2:
        return pos
    k = 1.0 / np.sqrt(count)  # ideal edge length for the unit square
    adjacency = np.zeros((count, count))
    for i, j, weight in edges:
        if i != j:
            adjacency[i, j] = adjacency[j, i] = max(adjacency[i, j], weight)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.linalg.norm(delta, axis=-1)
        np.fill_diagonal(distance, 1.0)
        distance = np.maximum(distance, 0.01)
        repulsion = k * k / distance
        attraction = adjacency * distance * distance / k
        force = (repulsion - attraction) / distance
        np.fill_diagonal(force, 0.0)
        displacement = np.einsum("ij,ijk->ik", force, delta)
        length = np.maximum(np.linalg.norm(displacement, axis=-1), 1e-9)
        pos += displacement / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature -= cooling
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos
