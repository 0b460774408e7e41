"""Random damage to a valid model file: `Model.load` and `Model.load_checkpoint` either give
a model that predicts finite values or raise nn.ModelFileError; never any other exception.

Two kinds of damage: raw byte edits (mostly caught by the zip's structure and CRC-32), and
edits of the JSON header written back with a valid CRC, which reach the semantic checks
(registry, configs, array table, training state)."""
import copy
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.files import HEADER_MEMBER

INPUTS = np.linspace(-1, 1, 10, dtype=np.float32).reshape(5, 2)


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory):
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 4, seed=1))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.1, seed=2))
    model.add(nn.Dense(4, 3, seed=3))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())
    model.finalize()
    folder = tmp_path_factory.mktemp("fuzz")
    model.save_checkpoint(folder / "valid.tgm")
    return folder, (folder / "valid.tgm").read_bytes()


def loads_cleanly_or_refuses(path, checkpoint: bool) -> None:
    try:
        model = nn.Model.load_checkpoint(path) if checkpoint else nn.Model.load(path)
    except nn.ModelFileError as error:
        assert str(path) in str(error)
        return
    assert np.isfinite(model.predict(INPUTS)).all()


# ---------------------------------------------------------------- raw bytes

byte_damage = st.one_of(
    st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8).map(lambda edits: ("set", edits)),
    st.tuples(st.integers(0, 1 << 20), st.integers(1, 64)).map(lambda cut: ("delete", cut)),
    st.tuples(st.integers(0, 1 << 20), st.binary(min_size=1, max_size=16)).map(lambda insert: ("insert", insert)),
)


def damaged(data: bytes, how: tuple) -> bytes:
    kind, detail = how
    if kind == "set":
        changed = bytearray(data)
        for position, value in detail:
            changed[position % len(data)] = value
        return bytes(changed)
    position = detail[0] % len(data)
    if kind == "delete":
        return data[:position] + data[position + detail[1]:]
    return data[:position] + detail[1] + data[position:]


@settings(max_examples=60, deadline=None)
@given(how=byte_damage, checkpoint=st.booleans())
def test_byte_damage_loads_cleanly_or_raises_model_file_error(valid_file, how, checkpoint):
    folder, data = valid_file
    path = folder / "damaged.tgm"
    path.write_bytes(damaged(data, how))
    loads_cleanly_or_refuses(path, checkpoint)


# ---------------------------------------------------------------- header values

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "float64", "float16", "O", "os.system", "Dense", "Dropout", "PCG64", "checkpoint"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def leaf_paths(value, prefix=()):
    """Every path into a JSON value, e.g. ("layers", 0, "config", "n_inputs")."""
    if prefix:
        yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from leaf_paths(child, (*prefix, key))


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), json_values), min_size=1, max_size=3),
       checkpoint=st.booleans())
def test_header_damage_loads_cleanly_or_raises_model_file_error(valid_file, edits, checkpoint):
    folder, _data = valid_file
    with zipfile.ZipFile(folder / "valid.tgm") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(members[HEADER_MEMBER])
    for index, delete, value in edits:
        paths = list(leaf_paths(header))
        path = paths[index % len(paths)]
        parent = header
        for key in path[:-1]:
            parent = parent[key]
        if delete:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value)
    members[HEADER_MEMBER] = json.dumps(header).encode()
    path = folder / "edited.tgm"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    loads_cleanly_or_refuses(path, checkpoint)
