"""nn optimizers: the book's update formulas, decay, in-place updates, state, argument checks."""
import copy

import analytic
import numpy as np
import pytest

import nn
from tensorgrad import Tensor

SHAPES = [(3, 4), (1, 4)]
STEPS = 25

CASES = [
    (nn.SGD, {"learning_rate": 0.5, "decay": 1e-2, "momentum": 0.9}),
    (nn.SGD, {"learning_rate": 0.5, "decay": 1e-2}),
    (nn.Adagrad, {"learning_rate": 0.3, "decay": 1e-2, "epsilon": 1e-7}),
    (nn.RMSprop, {"learning_rate": 0.02, "decay": 1e-2, "epsilon": 1e-7, "rho": 0.95}),
    (nn.Adam, {"learning_rate": 0.05, "decay": 1e-2, "epsilon": 1e-7, "beta_1": 0.85, "beta_2": 0.99}),
]
CASE_IDS = ["sgd-momentum", "sgd", "adagrad", "rmsprop", "adam"]


def oracle_trajectory(optimizer_class, hyper, weights, gradients):
    """The book's optimizer (tests/analytic.py) on copies of the weights: the weights after every step."""
    oracle = getattr(analytic, optimizer_class.__name__)(**hyper)
    params = {str(i): w.copy() for i, w in enumerate(weights)}
    history = []
    for grads in gradients:
        oracle.step(params, {str(i): g for i, g in enumerate(grads)})
        history.append([w.copy() for w in params.values()])
    return history


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    params = [Tensor(rng.standard_normal(shape), requires_grad=True) for shape in SHAPES]
    gradients = [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(STEPS)]
    return params, gradients


def run(optimizer, params, gradients):
    for grads in gradients:
        for parameter, grad in zip(params, grads, strict=False):
            parameter.grad = grad.copy()
        optimizer.step()


@pytest.mark.parametrize("optimizer_class, hyper", CASES, ids=CASE_IDS)
def test_matches_the_oracle_for_25_steps(optimizer_class, hyper):
    params, gradients = make_problem()
    initial = [p.data.copy() for p in params]
    optimizer = optimizer_class(params, **hyper)
    expected = oracle_trajectory(optimizer_class, hyper, initial, gradients)
    for step, grads in enumerate(gradients):
        for parameter, grad in zip(params, grads, strict=False):
            parameter.grad = grad.copy()
        optimizer.step()
        for parameter, want in zip(params, expected[step], strict=False):
            np.testing.assert_allclose(parameter.data, want, rtol=0, atol=1e-10, err_msg=f"step {step}")
    assert optimizer.iterations == STEPS
    assert optimizer.current_learning_rate == pytest.approx(hyper["learning_rate"] / (1 + hyper["decay"] * (STEPS - 1)))
    assert not np.allclose(params[0].data, initial[0])  # the updates did something


@pytest.mark.parametrize("optimizer_class, hyper", CASES, ids=CASE_IDS)
def test_updates_in_place_and_keeps_its_buffers(optimizer_class, hyper):
    params, gradients = make_problem()
    arrays = [p.data for p in params]
    optimizer = optimizer_class(params, **hyper)
    buffers = {name: list(values) for name, values in optimizer.buffers.items()}
    run(optimizer, params, gradients[:3])
    assert all(p.data is array for p, array in zip(params, arrays, strict=False))
    assert all(a is b for name in buffers for a, b in zip(buffers[name], optimizer.buffers[name], strict=False))


@pytest.mark.parametrize("optimizer_class", [nn.SGD, nn.Adagrad, nn.RMSprop, nn.Adam])
def test_float32_parameters_stay_float32(optimizer_class):
    parameter = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    optimizer = optimizer_class([parameter], learning_rate=0.1)
    parameter.grad = np.full((2, 3), 0.5, dtype=np.float32)
    optimizer.step()
    assert parameter.data.dtype == np.float32 and np.all(parameter.data < 1)
    assert all(b[0].dtype == np.float32 for b in optimizer.buffers.values())


def test_parameters_without_gradient_are_skipped():
    params, gradients = make_problem()
    before = params[1].data.copy()
    optimizer = nn.Adam(params)
    params[0].grad = gradients[0][0]
    optimizer.step()
    np.testing.assert_array_equal(params[1].data, before)
    assert not np.any(optimizer.buffers["cache"][1])
    assert optimizer.iterations == 1


def test_zero_grad_clears_the_gradients():
    params, gradients = make_problem()
    optimizer = nn.SGD(params)
    for parameter, grad in zip(params, gradients[0], strict=False):
        parameter.grad = grad
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_standalone_training_loop_learns():
    X, y = nn.spiral_data(100, 3, seed=0)
    model = nn.Sequential(nn.Dense(2, 64, seed=0), nn.ReLU(), nn.Dense(64, 3, seed=1), nn.Softmax())
    loss_function = nn.CategoricalCrossEntropy()
    optimizer = nn.Adam(model.parameters(), learning_rate=0.05, decay=5e-7)
    losses = []
    for _ in range(150):
        loss = loss_function(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.75 * losses[0]


def test_parameters_may_be_given_later_and_once_each():
    params, _ = make_problem()
    optimizer = nn.RMSprop(learning_rate=0.01)
    assert optimizer.params == []
    optimizer.set_parameters(params + params[:1])
    assert optimizer.params == params
    assert [c.shape for c in optimizer.buffers["cache"]] == SHAPES


# --------------------------------------------------------------------------- state

@pytest.mark.parametrize("optimizer_class, hyper", CASES, ids=CASE_IDS)
def test_state_round_trip_resumes_exactly(optimizer_class, hyper):
    params, gradients = make_problem()
    resumed_params = copy.deepcopy(params)
    uninterrupted = optimizer_class(params, **hyper)
    run(uninterrupted, params, gradients)

    first = optimizer_class(resumed_params, **hyper)
    run(first, resumed_params, gradients[:10])
    state = first.state_dict()
    second = optimizer_class(resumed_params, **hyper)
    second.load_state_dict(state)
    assert second.iterations == 10 and second.current_learning_rate == first.current_learning_rate
    run(second, resumed_params, gradients[10:])
    for a, b in zip(params, resumed_params, strict=False):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_is_a_copy():
    params, gradients = make_problem()
    optimizer = nn.Adam(params)
    run(optimizer, params, gradients[:2])
    state = optimizer.state_dict()
    assert set(state) == {"iterations", "current_learning_rate", "buffers"}
    state["buffers"]["cache"][0][...] = -1
    assert np.all(optimizer.buffers["cache"][0] >= 0)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s["buffers"]["cache"].pop(), r"buffers\['cache'\]: expected a list of 2 arrays"),
        (lambda s: s["buffers"]["momentums"].__setitem__(1, np.zeros((4, 1))),
         r"buffers\['momentums'\]\[1\]: expected an ndarray of shape \(1, 4\), got \(4, 1\)"),
        (lambda s: s["buffers"].pop("momentums"), r"buffers: expected names \['cache', 'momentums'\], got \['cache'\]"),
        (lambda s: s.pop("iterations"), "keys: expected"),
        (lambda s: s.__setitem__("iterations", -3), r"iterations: expected an integer from 0 to 9223372036854775807, got -3"),
        (lambda s: s.__setitem__("iterations", 10**400), r"iterations: expected an integer from 0 to 9223372036854775807"),
        (lambda s: s.__setitem__("current_learning_rate", "0.1"),
         r"current_learning_rate: expected a finite number > 0, got '0.1'"),
        (lambda s: s.__setitem__("current_learning_rate", float("inf")),
         r"current_learning_rate: expected a finite number > 0, got inf"),
    ],
)
def test_load_state_dict_refuses_and_changes_nothing(edit, message):
    params, gradients = make_problem()
    optimizer = nn.Adam(params)
    run(optimizer, params, gradients[:3])
    before = optimizer.state_dict()
    state = nn.Adam(params).state_dict()
    edit(state)
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(state)
    after = optimizer.state_dict()
    assert after["iterations"] == before["iterations"] == 3
    assert after["current_learning_rate"] == before["current_learning_rate"]
    for name in before["buffers"]:
        for a, b in zip(before["buffers"][name], after["buffers"][name], strict=False):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer_class, hyper", CASES, ids=CASE_IDS)
def test_get_config_rebuilds_the_optimizer(optimizer_class, hyper):
    optimizer = optimizer_class(**hyper)
    assert optimizer.get_config() == {**optimizer_class().get_config(), **hyper}
    assert optimizer_class(**optimizer.get_config()).get_config() == optimizer.get_config()


# --------------------------------------------------------------------------- argument checks

@pytest.mark.parametrize(
    "optimizer_class, argument, value, expected",
    [
        (nn.SGD, "learning_rate", 0, "> 0"),
        (nn.Adam, "learning_rate", -1e-3, "> 0"),
        (nn.RMSprop, "decay", -0.1, ">= 0"),
        (nn.SGD, "momentum", 1.0, ">= 0 and < 1"),
        (nn.SGD, "momentum", -0.5, ">= 0 and < 1"),
        (nn.Adagrad, "epsilon", 0.0, "> 0"),
        (nn.RMSprop, "rho", 1.0, ">= 0 and < 1"),
        (nn.Adam, "beta_1", 1.0, ">= 0 and < 1"),
        (nn.Adam, "beta_2", -0.1, ">= 0 and < 1"),
        (nn.Adam, "epsilon", float("nan"), "> 0"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_the_argument(optimizer_class, argument, value, expected):
    with pytest.raises(ValueError, match=f"{argument}: expected a finite number {expected}, got {value}"):
        optimizer_class(**{argument: value})


def test_a_learning_rate_passed_positionally_is_refused():
    with pytest.raises(TypeError, match=r"pass the learning rate by keyword: Adam\(learning_rate=0.01\)"):
        nn.Adam(0.01)


def test_a_model_instead_of_its_parameters_is_refused():
    with pytest.raises(TypeError, match=r"params\[0\] must be a Tensor, got Dense \(pass model.parameters\(\)"):
        nn.SGD(nn.Sequential(nn.Dense(2, 2)))


# --------------------------------------------------------------------------- the book's three calls

def train_spiral_net(optimizer_class, hyper, style, epochs=30):
    """A Dense-ReLU-Dense-Softmax net on spiral data, float64, updated in `style`:
    "step" (PyTorch habit), "book" (pre / update_params per layer / post) or
    "book-step" (pre / step / post, a mix people write)."""
    X, y = nn.spiral_data(50, 3, seed=0)
    dense1 = nn.Dense(2, 16, dtype=np.float64, seed=1)
    dense2 = nn.Dense(16, 3, dtype=np.float64, seed=2)
    model = nn.Sequential(dense1, nn.ReLU(), dense2, nn.Softmax())
    loss_function = nn.CategoricalCrossEntropy()
    optimizer = optimizer_class(model.parameters() if style != "book" else None, **hyper)
    for _ in range(epochs):
        model.zero_grad()
        loss_function(model(X.astype(np.float64)), y).backward()
        if style == "step":
            optimizer.step()
        elif style == "book":
            optimizer.pre_update_params()
            optimizer.update_params(dense1)
            optimizer.update_params(dense2)
            optimizer.post_update_params()
        else:
            optimizer.pre_update_params()
            optimizer.step()
            optimizer.post_update_params()
    return [p.data.copy() for p in model.parameters()], optimizer


@pytest.mark.parametrize("optimizer_class, hyper", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("style", ["book", "book-step"])
def test_the_books_three_calls_give_bit_identical_weights_to_step(optimizer_class, hyper, style):
    expected, reference = train_spiral_net(optimizer_class, hyper, "step")
    got, optimizer = train_spiral_net(optimizer_class, hyper, style)
    for want, have in zip(expected, got, strict=False):
        np.testing.assert_array_equal(have, want)
    assert optimizer.iterations == reference.iterations == 30
    assert optimizer.current_learning_rate == reference.current_learning_rate


def test_book_sequence_counts_one_iteration_per_epoch_and_decays_as_the_book():
    _, optimizer = train_spiral_net(nn.SGD, {"learning_rate": 1.0, "decay": 1e-3}, "book", epochs=1001)
    assert optimizer.iterations == 1001
    assert optimizer.current_learning_rate == pytest.approx(1.0 / (1 + 1e-3 * 1000))


def test_update_params_outside_the_phases_says_what_to_call():
    optimizer = nn.SGD()
    with pytest.raises(RuntimeError, match="pre_update_params"):
        optimizer.update_params(nn.Dense(2, 3))
    optimizer.pre_update_params()
    with pytest.raises(TypeError, match="layer"):
        optimizer.update_params(object())
