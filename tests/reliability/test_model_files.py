"""Model files: what a valid file holds, and how each kind of damaged or hostile file is
refused with a ModelFileError (never unpickled, never allocated, never half-read)."""
import ast
import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.files import container as container_module
from nn.files import (
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER_MEMBER,
    ModelFileError,
    open_container,
    read_container,
    write_container,
)

WEIGHTS = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
BIASES = np.zeros((1, 4), dtype=np.float64)
TABLE = {"weights": {"dtype": "<f4", "shape": [3, 4]}, "biases": {"dtype": "<f8", "shape": [1, 4]}}


# ---------------------------------------------------------------- building files by hand


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header_only(descr: str, shape: tuple) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def header_bytes(table: dict, **fields) -> bytes:
    return json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, **fields, "arrays": table}).encode()


def write_zip(path: Path, members: dict, compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def valid_members(**replace) -> dict:
    members = {
        HEADER_MEMBER: header_bytes(TABLE),
        "weights.npy": npy_bytes(WEIGHTS),
        "biases.npy": npy_bytes(BIASES),
    }
    members.update(replace)
    return {name: data for name, data in members.items() if data is not None}


def set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Patch the uncompressed size that the zip's central directory declares for `member`."""
    start = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length] == member.encode():
            return data[:start + 24] + struct.pack("<I", size) + data[start + 28:]
        extra, comment = struct.unpack_from("<HH", data, start + 30)
        start = data.index(b"PK\x01\x02", start + 46 + name_length + extra + comment)


class WritesMarker:
    """An object whose unpickling creates a file: proof that a loader ran pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def refuses(path: Path, *fragments: str, **read_options) -> str:
    with pytest.raises(ModelFileError) as caught:
        read_container(path, **read_options)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


# ---------------------------------------------------------------- what a valid file holds


def test_round_trip_keeps_header_values_and_dtypes(tmp_path):
    path = tmp_path / "model.tgm"
    write_container(path, {"layers": [{"type": "Dense", "config": {"n_inputs": 3}}]}, {"weights": WEIGHTS, "biases": BIASES})
    header, arrays = read_container(path)
    assert header["format"] == FORMAT_NAME and header["version"] == FORMAT_VERSION
    assert header["layers"] == [{"type": "Dense", "config": {"n_inputs": 3}}]
    assert header["arrays"] == TABLE
    assert arrays["weights"].dtype == np.float32 and arrays["biases"].dtype == np.float64
    np.testing.assert_array_equal(arrays["weights"], WEIGHTS)
    np.testing.assert_array_equal(arrays["biases"], BIASES)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["biases.npy", HEADER_MEMBER, "weights.npy"]


def test_a_hand_built_file_reads_like_a_written_one(tmp_path):
    _, arrays = read_container(write_zip(tmp_path / "model.tgm", valid_members(), zipfile.ZIP_DEFLATED))
    np.testing.assert_array_equal(arrays["weights"], WEIGHTS)


def test_open_container_gives_the_checked_header_before_any_array_is_read(tmp_path, monkeypatch):
    path = write_zip(tmp_path / "model.tgm", valid_members())
    reads = []
    real_read_array = container_module._read_array
    monkeypatch.setattr(container_module, "_read_array", lambda *args: reads.append(args[2]) or real_read_array(*args))
    with open_container(path) as container:
        assert sorted(container.header["arrays"]) == ["biases", "weights"]
        assert reads == []
        arrays = container.read_arrays()
    assert sorted(reads) == ["biases", "weights"]
    np.testing.assert_array_equal(arrays["weights"], WEIGHTS)


@pytest.mark.parametrize(
    "arrays, header, expected",
    [
        ({"weights": np.array([object()], dtype=object)}, {}, "dtype must be one of"),
        ({"weights": np.array(["text"])}, {}, "dtype must be one of"),
        ({"../escape": WEIGHTS}, {}, "array names"),
        ({"weights": WEIGHTS}, {"learning_rate": float("nan")}, "without NaN"),
        ({"weights": WEIGHTS}, {"arrays": {}}, "written by write_container"),
    ],
)
def test_write_refuses_what_it_could_not_read_back(tmp_path, arrays, header, expected):
    with pytest.raises(ValueError, match=expected):
        write_container(tmp_path / "model.tgm", header, arrays)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- hostile and damaged files


def test_pickled_object_array_is_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled.marker"
    payload = io.BytesIO()
    np.save(payload, np.array([WritesMarker(marker)], dtype=object), allow_pickle=True)
    payload.seek(0)
    np.lib.format.read_magic(payload)
    assert np.lib.format.read_array_header_1_0(payload)[2] == np.dtype(object)  # a real pickled payload
    claims_floats = write_zip(tmp_path / "floats.tgm", valid_members(**{"weights.npy": payload.getvalue()}))
    refuses(claims_floats, "member 'weights.npy'", "expected dtype <f4, got |O")
    table = {"weights": {"dtype": "|O", "shape": [1]}}
    claims_objects = write_zip(tmp_path / "objects.tgm", {HEADER_MEMBER: header_bytes(table), "weights.npy": payload.getvalue()})
    refuses(claims_objects, "dtype must be one of", "'|O'")
    assert not marker.exists()


def test_unknown_layer_type_is_only_data_to_the_container(tmp_path):
    """The container does not interpret the architecture; it must not import anything either."""
    path = write_zip(tmp_path / "model.tgm", valid_members(**{HEADER_MEMBER: header_bytes(TABLE, layers=[{"type": "os.system", "config": {"command": "touch pwned"}}])}))
    header, _ = read_container(path)
    assert header["layers"][0]["type"] == "os.system"
    assert not (Path.cwd() / "pwned").exists()


def test_npy_header_claiming_a_trillion_elements_is_refused_before_allocation(tmp_path):
    huge = npy_header_only("<f4", (10**12,))
    mismatched = write_zip(tmp_path / "mismatch.tgm", valid_members(**{"weights.npy": huge}))
    refuses(mismatched, "member 'weights.npy'", "expected shape (3, 4), got (1000000000000,)")
    table = {"weights": {"dtype": "<f4", "shape": [10**12]}}
    claimed = write_zip(tmp_path / "claimed.tgm", {HEADER_MEMBER: header_bytes(table), "weights.npy": huge})
    refuses(claimed, "4000000000000 bytes", "at most 1073741824")


def test_zip_bomb_of_zeros_is_refused_by_the_cap(tmp_path):
    zeros = np.zeros(2**21, dtype=np.float64)  # 16 MiB that deflate to about 16 KiB
    table = {"weights": {"dtype": "<f8", "shape": [2**21]}}
    path = write_zip(tmp_path / "bomb.tgm", {HEADER_MEMBER: header_bytes(table), "weights.npy": npy_bytes(zeros)}, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 100_000
    refuses(path, "16777216 bytes", "at most 1048576", max_bytes=2**20)


def test_member_declaring_gigabytes_is_refused_before_reading(tmp_path):
    data = write_zip(tmp_path / "plain.tgm", valid_members(), zipfile.ZIP_DEFLATED).read_bytes()
    path = tmp_path / "claims.tgm"
    path.write_bytes(set_declared_size(data, "weights.npy", 4 * 2**30 - 2))
    refuses(path, "member 'weights.npy'", "the zip declares 4294967294")


def test_member_expanding_past_its_declared_size_is_refused(tmp_path):
    members = valid_members(**{"weights.npy": npy_bytes(WEIGHTS) + bytes(2**20)})
    data = write_zip(tmp_path / "plain.tgm", members, zipfile.ZIP_DEFLATED).read_bytes()
    path = tmp_path / "lies.tgm"
    path.write_bytes(set_declared_size(data, "weights.npy", len(npy_bytes(WEIGHTS))))
    refuses(path, "weights.npy")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_truncated_file_is_refused(tmp_path, fraction):
    whole = write_zip(tmp_path / "whole.tgm", valid_members()).read_bytes()
    path = tmp_path / "truncated.tgm"
    path.write_bytes(whole[: int(len(whole) * fraction)])
    refuses(path, "not a readable model file")


@pytest.mark.parametrize(
    "members, expected",
    [
        (valid_members(**{"weights.npy": npy_bytes(WEIGHTS.reshape(4, 3))}), "expected shape (3, 4), got (4, 3)"),
        (valid_members(**{"weights.npy": npy_bytes(WEIGHTS.astype(np.float64))}), "expected dtype <f4, got <f8"),
        (valid_members(**{"weights.npy": npy_bytes(WEIGHTS.astype(">f4"))}), "expected dtype <f4, got >f4"),
        (valid_members(**{"weights.npy": npy_bytes(np.asfortranarray(WEIGHTS))}), "expected C order"),
        (valid_members(**{"weights.npy": npy_bytes(WEIGHTS)[:-4]}), "expected 176 bytes for shape (3, 4) of <f4, the zip declares 172"),
        (valid_members(**{"biases.npy": None}), "member 'biases.npy' is missing"),
        (valid_members(**{"notes.txt": b"hello"}), "member 'notes.txt' is not listed"),
        (valid_members(**{HEADER_MEMBER: None}), f"member '{HEADER_MEMBER}' is missing"),
        (valid_members(**{"weights.npy": npy_bytes(np.full((3, 4), np.nan, np.float32))}), "expected finite values"),
        (valid_members(**{"biases.npy": npy_bytes(np.full((1, 4), np.inf))}), "member 'biases.npy': expected finite"),
        (valid_members(**{HEADER_MEMBER: b"{not json"}), "not valid UTF-8 JSON"),
        (valid_members(**{HEADER_MEMBER: b"[" * 100_000}), "not valid UTF-8 JSON (maximum recursion depth"),
        (valid_members(**{HEADER_MEMBER: b'{"format": "tensorgrad-model", "version": NaN}'}), "NaN is not allowed"),
        (valid_members(**{HEADER_MEMBER: header_bytes(TABLE).replace(b'"version": 1', b'"version": 99')}), "expected version in (1,), got 99"),
        (valid_members(**{HEADER_MEMBER: header_bytes(TABLE).replace(FORMAT_NAME.encode(), b"other")}), "expected format 'tensorgrad-model'"),
        (valid_members(**{HEADER_MEMBER: header_bytes({"w": {"dtype": "<f4", "shape": [-1]}})}), "non-negative ints"),
        (valid_members(**{HEADER_MEMBER: header_bytes({"../w": {"dtype": "<f4", "shape": [1]}})}), "array names"),
        (valid_members(**{HEADER_MEMBER: json.dumps([1, 2]).encode()}), "expected a JSON object, got list"),
    ],
    ids=[
        "wrong-shape", "wrong-dtype", "big-endian", "fortran-order", "short-data", "missing-member",
        "extra-member", "missing-header", "nan-weights", "inf-biases", "header-not-json", "header-too-deep",
        "header-nan", "unknown-version", "other-format", "negative-shape", "path-in-name", "header-not-object",
    ],
)
def test_damaged_member_is_refused_with_a_clear_message(tmp_path, members, expected):
    path = write_zip(tmp_path / "model.tgm", members)
    refuses(path, expected)


def test_header_over_the_size_cap_is_refused_before_reading(tmp_path):
    path = write_zip(tmp_path / "model.tgm", valid_members(**{HEADER_MEMBER: header_bytes(TABLE, padding=" " * 2**20)}))
    refuses(path, f"member '{HEADER_MEMBER}' declares", "at most 1048576")


def test_non_zip_file_is_refused(tmp_path):
    path = tmp_path / "model.tgm"
    path.write_bytes(b"#!/bin/sh\necho this is not a model file\n")
    refuses(path, "not a readable model file", "BadZipFile")


def test_missing_file_is_an_ordinary_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_container(tmp_path / "nothing.tgm")



def test_no_module_can_unpickle():
    """The packages never import pickle, and every np.load passes allow_pickle=False."""
    root = Path(__file__).resolve().parents[2]
    sources = sorted((root / "nn").rglob("*.py")) + sorted((root / "tensorgrad").rglob("*.py"))
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                assert "pickle" not in [alias.name for alias in node.names], source
            elif isinstance(node, ast.ImportFrom):
                assert node.module != "pickle", source
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "np.load":
                keywords = {keyword.arg: ast.unparse(keyword.value) for keyword in node.keywords}
                assert keywords.get("allow_pickle") == "False", f"{source}:{node.lineno}"
    # the scan reaches the subpackages (nn/files/, nn/datasets/), where files are read
    assert {"container.py", "cache.py", "archive.py"} <= {source.name for source in sources}


# ---------------------------------------------------------------- model files


def small_model(seed: int = 0) -> nn.Model:
    model = nn.Model(seed=seed)
    model.add(nn.Dense(2, 4, seed=seed + 1, weight_regularizer_l2=1e-3))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.25, seed=seed + 2))
    model.add(nn.Dense(4, 3, seed=seed + 3))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.SGD(learning_rate=0.5, momentum=0.9),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A trained model and its model, checkpoint and parameters files (never modified)."""
    X, y = nn.spiral_data(30, 3, seed=0)
    model = small_model()
    model.train(X, y, epochs=3, batch_size=32, verbose=False)
    folder = tmp_path_factory.mktemp("files")
    model.save(folder / "model.tgm")
    model.save_checkpoint(folder / "checkpoint.tgm")
    model.save_parameters(folder / "parameters.tgm")
    return model, X, folder


def members_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def changed_file(source: Path, target: Path, header_change=None, **member_changes) -> Path:
    """A copy of `source` with its header edited by `header_change(header)` and members replaced."""
    members = members_of(source)
    if header_change is not None:
        header = json.loads(members[HEADER_MEMBER])
        header_change(header)
        members[HEADER_MEMBER] = json.dumps(header).encode()
    members.update({f"{name}.npy": data for name, data in member_changes.items()})
    return write_zip(target, {name: data for name, data in members.items() if data is not None})


def test_model_round_trip(trained):
    model, X, folder = trained
    loaded = nn.Model.load(folder / "model.tgm")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert repr(loaded) == repr(model)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 0  # a model file holds no training state
    header = json.loads(members_of(folder / "model.tgm")[HEADER_MEMBER])
    assert header["kind"] == "model"
    assert header["layers"][0] == {"type": "Dense", "config": model.layers[0].get_config()}
    assert header["optimizer"] == {"type": "SGD", "config": model.optimizer.get_config()}
    assert list(header["arrays"]) == ["0.weights", "0.biases", "3.weights", "3.biases"]
    assert sorted(path.name for path in folder.iterdir()) == ["checkpoint.tgm", "model.tgm", "parameters.tgm"]
    assert loaded.evaluate(*nn.spiral_data(30, 3, seed=0)) == model.evaluate(*nn.spiral_data(30, 3, seed=0))
    loaded.train(X, np.zeros(len(X), np.int64), epochs=1, verbose=False)  # finalized: ready to train on


def test_a_regression_model_round_trips(tmp_path):
    X = np.linspace(-1, 1, 40, dtype=np.float32).reshape(-1, 1)
    model = nn.Model()
    model.add(nn.Dense(1, 8, seed=0))
    model.add(nn.ReLU())
    model.add(nn.Dense(8, 1, seed=1))
    model.add(nn.Linear())
    model.set(loss=nn.MeanSquaredError(), optimizer=nn.Adam(learning_rate=0.01), accuracy=nn.RegressionAccuracy())
    model.finalize().train(X, 2 * X, epochs=2, verbose=False)
    model.save(tmp_path / "regression.tgm")
    loaded = nn.Model.load(tmp_path / "regression.tgm")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert repr(loaded) == repr(model)


def test_checkpoint_holds_the_training_state(trained):
    model, X, folder = trained
    loaded = nn.Model.load_checkpoint(folder / "checkpoint.tgm")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 9
    for kept, expected in zip(loaded.optimizer.buffers["momentums"], model.optimizer.buffers["momentums"], strict=False):
        np.testing.assert_array_equal(kept, expected)
    assert loaded.epochs_trained == 3
    header = json.loads(members_of(folder / "checkpoint.tgm")[HEADER_MEMBER])
    assert "optimizer.momentums.3.npy" in members_of(folder / "checkpoint.tgm")
    assert header["training"]["layer_rngs"]["2"] == model.layers[2].rng.bit_generator.state


def test_parameters_round_trip_into_another_model(trained):
    model, X, folder = trained
    other = small_model(seed=5)
    other.load_parameters(folder / "parameters.tgm")
    np.testing.assert_array_equal(other.predict(X), model.predict(X))
    wider = nn.Model()
    wider.add(nn.Dense(2, 5))
    with pytest.raises(ModelFileError, match="does not fit the architecture"):
        wider.load_parameters(folder / "parameters.tgm")


def test_each_kind_of_file_is_loaded_by_its_own_method(trained):
    _, _, folder = trained
    with pytest.raises(ModelFileError, match="header 'kind': expected 'checkpoint', got 'model'"):
        nn.Model.load_checkpoint(folder / "model.tgm")
    with pytest.raises(ModelFileError, match=r"got 'parameters'; load it with model.load_parameters"):
        nn.Model.load(folder / "parameters.tgm")
    with pytest.raises(ModelFileError, match=r"expected 'parameters', got 'model'; load it with Model.load"):
        small_model().load_parameters(folder / "model.tgm")


class Doubler(nn.Module):
    def forward(self, x):
        return 2 * x


def test_only_registered_classes_are_saved_but_parameters_of_any_layers_are(tmp_path):
    model = nn.Model()
    model.add(nn.Dense(2, 2))
    model.add(Doubler())
    with pytest.raises(TypeError, match="save: Doubler cannot be saved as a layer"):
        model.save(tmp_path / "model.tgm")
    model.save_parameters(tmp_path / "parameters.tgm")
    copy = nn.Model()
    copy.add(nn.Dense(2, 2, seed=9))
    copy.add(Doubler())
    copy.load_parameters(tmp_path / "parameters.tgm")
    np.testing.assert_array_equal(copy.layers[0].weights.data, model.layers[0].weights.data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parameters.tgm"]


def set_layer(index, description):
    def change(header):
        header["layers"][index] = description
    return change


@pytest.mark.parametrize(
    "header_change, expected",
    [
        (set_layer(1, {"type": "os.system", "config": {"command": "touch pwned"}}), "unknown layer type 'os.system'"),
        (set_layer(1, {"type": "Module", "config": {}}), "unknown layer type 'Module'"),
        (set_layer(1, {"type": "Adam", "config": {}}), "unknown layer type 'Adam'"),
        (lambda header: header.update(loss={"type": "Dense", "config": {"n_inputs": 1, "n_neurons": 1}}), "unknown loss type 'Dense'"),
        (lambda header: header["layers"][0]["config"].update(command="rm -rf /"), r"Dense refuses its config \(got an unexpected keyword argument 'command'\)"),
        (lambda header: header["layers"][0]["config"].update(init="__import__('os')"), "Dense refuses its config"),
        (lambda header: header["layers"][0]["config"].update(n_neurons=5), r"member '0.weights.npy': shape mismatch, the model expects shape \(2, 5\)"),
        (lambda header: header["layers"][0]["config"].update(dtype="float64"), "shape mismatch, the model expects shape \\(2, 4\\) of <f8"),
        (lambda header: header["layers"][3]["config"].update(n_inputs=10**6, n_neurons=10**6), "would allocate 4000004000048 bytes of parameters; expected at most the 216 bytes"),
        (lambda header: header["layers"].pop(3), r"missing \[\], unexpected \['3.weights', '3.biases'"),
        (lambda header: header.update(layers=[]), "expected a non-empty list"),
        (lambda header: header.update(model={"seed": "zero"}), "header 'model': Model refuses its config"),
        (lambda header: header.pop("accuracy"), r"missing \['accuracy'\]"),
        (lambda header: header.update(extra=1), r"unexpected \['extra'\]"),
        (lambda header: header["training"].update(iterations=-1), r"'iterations': expected an integer from 0 to 2\*\*63 - 1"),
        (lambda header: header["training"].update(current_learning_rate=0), "'current_learning_rate': expected a finite number > 0"),
        (lambda header: header["training"]["rng"].update(bit_generator="MT19937"), "'rng': expected a PCG64 bit_generator.state"),
        (lambda header: header["training"]["rng"]["state"].update(state="seven"), "'rng': expected a PCG64 bit_generator.state"),
        (lambda header: header["training"]["layer_rngs"].clear(), r"'layer_rngs' must hold the states of the Dropout layers \['2'\]"),
        (lambda header: header["arrays"].pop("optimizer.momentums.0"), "member 'optimizer.momentums.0.npy' is not listed"),
    ],
    ids=[
        "os.system", "unregistered-nn-class", "optimizer-as-layer", "layer-as-loss", "unknown-argument", "bad-init",
        "neurons-vs-arrays", "dtype-vs-arrays", "dense-of-a-trillion", "layer-missing", "no-layers", "bad-model-config",
        "missing-key", "unknown-key", "negative-iterations", "zero-learning-rate", "other-bit-generator",
        "bad-rng-state", "dropout-rng-missing", "optimizer-buffer-missing",
    ],
)
def test_hostile_or_inconsistent_header_is_refused(trained, tmp_path, header_change, expected):
    _, _, folder = trained
    path = changed_file(folder / "checkpoint.tgm", tmp_path / "changed.tgm", header_change)
    before = path.read_bytes()
    with pytest.raises(ModelFileError, match=expected) as caught:
        nn.Model.load_checkpoint(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert not (Path.cwd() / "pwned").exists()


def pickled_payload(marker: Path) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([WritesMarker(marker)], dtype=object), allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "members, expected",
    [
        ({"0.weights": "pickle"}, "expected dtype <f4, got |O"),
        ({"0.weights": npy_header_only("<f4", (10**12,))}, r"expected shape \(2, 4\), got \(1000000000000,\)"),
        ({"0.weights": npy_bytes(np.zeros((4, 2), np.float32))}, r"expected shape \(2, 4\), got \(4, 2\)"),
        ({"0.weights": npy_bytes(np.zeros((2, 4), np.float64))}, "expected dtype <f4, got <f8"),
        ({"3.biases": None}, "member '3.biases.npy' is missing"),
        ({"3.extra": npy_bytes(np.zeros(1, np.float32))}, "member '3.extra.npy' is not listed"),
        ({"3.weights": npy_bytes(np.full((4, 3), np.nan, np.float32))}, "member '3.weights.npy': expected finite values"),
    ],
    ids=["pickled-object-array", "trillion-elements", "wrong-shape", "wrong-dtype", "missing-member", "extra-member", "nan-weights"],
)
def test_bad_parameters_file_leaves_the_model_and_the_file_untouched(trained, tmp_path, members, expected):
    _model, _X, folder = trained
    marker = tmp_path / "unpickled.marker"
    members = {name: pickled_payload(marker) if data == "pickle" else data for name, data in members.items()}
    path = changed_file(folder / "parameters.tgm", tmp_path / "bad.tgm", **members)
    before_file = path.read_bytes()
    target = small_model(seed=5)
    before = target.state_dict()
    with pytest.raises(ModelFileError, match=expected):
        target.load_parameters(path)
    after = target.state_dict()
    for name, array in before.items():
        np.testing.assert_array_equal(after[name], array)
    assert path.read_bytes() == before_file
    with pytest.raises(ModelFileError, match=expected):
        nn.Model.load(changed_file(folder / "model.tgm", tmp_path / "bad_model.tgm", **members))
    assert not marker.exists()


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_truncated_model_file_leaves_the_model_untouched(trained, tmp_path, fraction):
    _, _, folder = trained
    whole = (folder / "parameters.tgm").read_bytes()
    path = tmp_path / "truncated.tgm"
    path.write_bytes(whole[: int(len(whole) * fraction)])
    target = small_model(seed=5)
    before = target.state_dict()
    with pytest.raises(ModelFileError, match="not a readable model file"):
        target.load_parameters(path)
    for name, array in target.state_dict().items():
        np.testing.assert_array_equal(array, before[name])
