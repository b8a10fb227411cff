"""Groups of test items that pytest-xdist (``--dist loadgroup``) runs on one worker, in order.

pytest-xdist 3.8 puts an item's ``xdist_group`` in its node id as ``<id>@<group>`` by assigning the
item's ``_nodeid``, which pytest 9 no longer reads (a node's id lives in ``_id``): under pytest 9.2 its
groups are silently ignored and a group's items spread over the workers. :func:`group` writes the
suffix where pytest 9 reads it; ``tests/test_xdist_groups.py`` shows a group staying on one worker.
"""

from __future__ import annotations

import pytest
from _pytest.nodeid import coerce_node_id


def group(item: pytest.Item, name: str) -> None:
    """Put ``item`` in the xdist group ``name`` (its marker, and its node id's suffix under loadgroup)."""
    item.add_marker(pytest.mark.xdist_group(name))
    if item.config.getvalue("loadgroup") and "@" not in item.nodeid.rpartition("]")[2]:
        item._id = coerce_node_id(f"{item.nodeid}@{name}")
