"""nn.Module and nn.Sequential: registration, traversal, modes, state dicts, configs."""
import json

import numpy as np
import pytest

import nn
from tensorgrad import Tensor


class TwoBranches(nn.Module):
    """A custom module: one own parameter, two children, one plain attribute."""

    def __init__(self):
        super().__init__()
        self.scale = Tensor(np.ones((1, 3), dtype=np.float32), requires_grad=True)
        self.left = nn.Dense(2, 3, seed=0)
        self.constant = Tensor(np.zeros(3, dtype=np.float32))  # no grad: not a parameter
        self.right = nn.Sequential(nn.Dense(2, 3, seed=1), nn.ReLU())

    def forward(self, x):
        return self.left(x) * self.scale + self.right(x)


def small_model(seed=0):
    return nn.Sequential(
        nn.Dense(2, 4, seed=seed), nn.ReLU(), nn.Dropout(0.5, seed=seed), nn.Dense(4, 3, seed=seed + 1)
    )


# --------------------------------------------------------------------------- registration

def test_parameters_and_children_are_registered_in_assignment_order():
    module = TwoBranches()
    assert [name for name, _ in module.named_parameters()] == [
        "scale", "left.weights", "left.biases", "right.0.weights", "right.0.biases",
    ]
    assert module.children() == [module.left, module.right]
    assert module.modules() == [module, module.left, module.right, module.right[0], module.right[1]]
    assert module.parameters()[1] is module.left.weights


def test_a_bare_dense_names_its_parameters_without_prefix():
    assert [name for name, _ in nn.Dense(2, 3).named_parameters()] == ["weights", "biases"]


def test_a_shared_parameter_or_module_appears_once():
    dense = nn.Dense(2, 2)
    model = nn.Sequential(dense, nn.ReLU(), dense)
    assert len(model.parameters()) == 2
    assert [name for name, _ in model.named_parameters()] == ["0.weights", "0.biases"]
    assert model.modules().count(dense) == 1


def test_reassigning_an_attribute_updates_the_registry():
    module = TwoBranches()
    module.left = "gone"
    module.scale = Tensor(np.ones((1, 3), dtype=np.float32), requires_grad=True)  # keeps its place
    del module.right
    assert [name for name, _ in module.named_parameters()] == ["scale"]
    assert module.children() == []


def test_a_cached_computed_tensor_is_not_a_parameter():
    layer = nn.Dense(2, 3)
    layer.output = layer(np.ones((1, 2), dtype=np.float32))
    assert [name for name, _ in layer.named_parameters()] == ["weights", "biases"]


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="weight"):
        nn.Dense(2, 3).weight  # noqa: B018  (a typo of `weights`)


def test_forgetting_super_init_gives_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.weights = Tensor([1.0], requires_grad=True)

    with pytest.raises(RuntimeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_calling_a_module_runs_forward():
    module = TwoBranches()
    x = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    expected = module.left.forward(x).data * module.scale.data + np.maximum(module.right[0].forward(x).data, 0)
    np.testing.assert_allclose(module(x).data, expected, rtol=1e-6)


def test_zero_grad_clears_every_parameter():
    model = small_model()
    model(np.ones((3, 2), dtype=np.float32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_mode_and_eval_reach_every_descendant_and_return_self():
    module = TwoBranches()
    assert module.eval() is module
    assert [m.training for m in module.modules()] == [False] * 5
    assert module.train_mode() is module
    assert all(m.training for m in module.modules())
    with pytest.raises(TypeError, match="mode: expected a bool, got str"):
        module.train_mode("no")


def test_repr_shows_the_tree_and_non_default_arguments():
    model = nn.Sequential(nn.Dense(2, 64, weight_regularizer_l2=5e-4), nn.ReLU(), nn.Dropout(0.1))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Dense(n_inputs=2, n_neurons=64, weight_regularizer_l2=0.0005)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(rate=0.1)\n"
        ")"
    )


# --------------------------------------------------------------------------- Sequential

def test_sequential_len_iteration_indexing_append():
    dense, relu = nn.Dense(2, 3), nn.ReLU()
    model = nn.Sequential(dense)
    assert model.append(relu) is model
    assert len(model) == 2
    assert list(model) == [dense, relu]
    assert model[0] is dense and model[-1] is relu
    assert list(model[1:]) == [relu]
    with pytest.raises(IndexError, match="got 2"):
        model[2]
    with pytest.raises(TypeError, match="module must be a Module, got int"):
        model.append(3)


def test_sequential_chains_its_modules():
    model = small_model().eval()
    x = np.random.default_rng(1).standard_normal((6, 2)).astype(np.float32)
    hidden = np.maximum(x @ model[0].weights.data + model[0].biases.data, 0)
    expected = hidden @ model[3].weights.data + model[3].biases.data
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)


# --------------------------------------------------------------------------- state dicts

def test_state_dict_round_trip_gives_identical_outputs():
    source, target = small_model(seed=0).eval(), small_model(seed=7).eval()
    x = np.random.default_rng(2).standard_normal((8, 2)).astype(np.float32)
    assert not np.array_equal(source(x).data, target(x).data)
    state = source.state_dict()
    target.load_state_dict(state)
    np.testing.assert_array_equal(source(x).data, target(x).data)
    state["0.weights"][...] = 0  # a copy: editing it leaves the source alone
    assert np.any(source[0].weights.data != 0)


def test_load_state_dict_copies_in_place():
    model = small_model()
    weights_array = model[0].weights.data
    model.load_state_dict(small_model(seed=3).state_dict())
    assert model[0].weights.data is weights_array


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.pop("3.biases"), r"missing keys: \['3.biases'\]"),
        (lambda s: s.update(extra=np.zeros(1, np.float32)), r"unexpected keys: \['extra'\]"),
        (lambda s: s.update({"0.weights": np.zeros((3, 4), np.float32)}),
         r"0.weights: shape mismatch, expected \(2, 4\), got \(3, 4\)"),
        (lambda s: s.update({"0.biases": np.zeros((1, 4), np.float64)}),
         r"0.biases: dtype mismatch, expected float32, got float64"),
        (lambda s: s.update({"0.biases": [[0.0] * 4]}), r"0.biases: expected an ndarray, got list"),
    ],
)
def test_strict_load_refuses_and_changes_nothing(edit, message):
    model = small_model(seed=0)
    before = model.state_dict()
    state = small_model(seed=5).state_dict()
    edit(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    after = model.state_dict()
    assert all(np.array_equal(before[name], after[name]) for name in before)


def test_load_state_dict_lists_every_problem_at_once():
    model = small_model()
    state = model.state_dict()
    state.pop("0.weights")
    state["bogus"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"missing keys: \['0.weights'\]; unexpected keys: \['bogus'\]"):
        model.load_state_dict(state)


# --------------------------------------------------------------------------- configs

@pytest.mark.parametrize(
    "module",
    [
        nn.Dense(3, 5, weight_regularizer_l1=1e-4, bias_regularizer_l2=2e-3, init="he", dtype=np.float64, seed=4),
        nn.Dropout(0.25, seed=9),
        nn.ReLU(), nn.Softmax(), nn.Sigmoid(), nn.Linear(), nn.Tanh(),
        nn.CategoricalCrossEntropy(), nn.MeanSquaredError(),
    ],
    ids=lambda m: type(m).__name__,
)
def test_get_config_is_json_and_rebuilds_the_module(module):
    config = json.loads(json.dumps(module.get_config()))
    rebuilt = type(module)(**config)
    assert rebuilt.get_config() == module.get_config()
    for (name, a), (_, b) in zip(module.named_parameters(), rebuilt.named_parameters(), strict=False):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)  # same seed, same weights


def test_a_module_with_arguments_must_define_get_config():
    class Scaled(nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

    with pytest.raises(NotImplementedError, match=r"Scaled takes constructor arguments \['factor'\]"):
        Scaled(2.0).get_config()
