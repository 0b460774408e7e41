"""The book's hand-written derivatives: the independent oracle for autograd.

"Neural Networks from Scratch" derives every backward pass by hand. These are those
formulas in plain NumPy, written without tensorgrad or nn (this file must never import
them), so that when autograd and this file agree, two independent derivations agree.
Conventions follow the book: `dvalues` is the upstream gradient dL/d(output), a batch
has `samples` rows, and losses are averaged over samples (and over outputs per sample).
"""
from __future__ import annotations

import numpy as np

EPSILON = 1e-7  # the book clips predictions to [1e-7, 1 - 1e-7] before taking logs


# --------------------------------------------------------------------------- forward helpers

def softmax(inputs: np.ndarray) -> np.ndarray:
    """exp(x - max x) / sum exp(x - max x), row by row."""
    exponentials = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def sigmoid(inputs: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x)."""
    return 1 / (1 + np.exp(-inputs))


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Sparse labels become one-hot rows, as the book does with np.eye(labels)[y_true]."""
    return np.eye(classes)[labels] if labels.ndim == 1 else labels


# --------------------------------------------------------------------------- activations

def relu_backward(dvalues: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """dReLU/dx = 1 where x > 0, else 0 (0 at x = 0)."""
    dinputs = dvalues.copy()
    dinputs[inputs <= 0] = 0
    return dinputs


def softmax_backward(dvalues: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Per sample, the Jacobian ds_i/dx_j = s_i (delta_ij - s_j) = diagflat(s) - s s^T,
    applied to that sample's upstream gradient."""
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues, strict=False)):
        column = single_output.reshape(-1, 1)
        jacobian = np.diagflat(column) - column @ column.T
        dinputs[index] = jacobian @ single_dvalues
    return dinputs


def sigmoid_backward(dvalues: np.ndarray, output: np.ndarray) -> np.ndarray:
    """ds/dx = s (1 - s)."""
    return dvalues * (1 - output) * output


def linear_backward(dvalues: np.ndarray) -> np.ndarray:
    """The identity activation passes the gradient through: d/dx x = 1."""
    return dvalues.copy()


# --------------------------------------------------------------------------- losses

def categorical_cross_entropy_backward(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """L = -mean_samples sum_j y_j log(y_hat_j);  dL/dy_hat = -y / y_hat / N."""
    samples, classes = predictions.shape
    return -one_hot(targets, classes) / predictions / samples


def softmax_categorical_cross_entropy_backward(softmax_output: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Softmax followed by CCE, differentiated together: dL/dx = (y_hat - y) / N."""
    samples, classes = softmax_output.shape
    return (softmax_output - one_hot(targets, classes)) / samples


def binary_cross_entropy_backward(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """L = -mean(y log p + (1 - y) log(1 - p));  dL/dp = -(y/p - (1-y)/(1-p)) / outputs / N."""
    samples, outputs = predictions.shape
    clipped = np.clip(predictions, EPSILON, 1 - EPSILON)
    return -(targets / clipped - (1 - targets) / (1 - clipped)) / outputs / samples


def mean_squared_error_backward(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """L = mean (y - y_hat)^2;  dL/dy_hat = -2 (y - y_hat) / outputs / N."""
    samples, outputs = predictions.shape
    return -2 * (targets - predictions) / outputs / samples


def mean_absolute_error_backward(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """L = mean |y - y_hat|;  dL/dy_hat = -sign(y - y_hat) / outputs / N.

    The book's printed code, `np.sign(y_true - dvalues)`, drops the minus that the chain
    rule brings from d(y - y_hat)/dy_hat = -1 (its MSE keeps it: -2 (y - y_hat)). With
    the book's sign, gradient descent would climb the loss; finite differences agree
    with the minus, so the oracle keeps it.
    """
    samples, outputs = predictions.shape
    return -np.sign(targets - predictions) / outputs / samples


# --------------------------------------------------------------------------- regularization

def l1_penalty_backward(weights: np.ndarray, l1: float) -> np.ndarray:
    """d(l1 * sum |w|)/dw = l1 * dL1 with the book's dL1 = 1 where w >= 0, else -1."""
    d_l1 = np.ones_like(weights)
    d_l1[weights < 0] = -1
    return l1 * d_l1


def l2_penalty_backward(weights: np.ndarray, l2: float) -> np.ndarray:
    """d(l2 * sum w^2)/dw = 2 l2 w."""
    return 2 * l2 * weights


# --------------------------------------------------------------------------- layers

def dense_backward(
    dvalues: np.ndarray, inputs: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """output = X W + b:  dW = X^T dvalues, db = sum of dvalues over samples, dX = dvalues W^T."""
    dweights = inputs.T @ dvalues
    dbiases = np.sum(dvalues, axis=0, keepdims=True)
    dinputs = dvalues @ weights.T
    return dweights, dbiases, dinputs


def dropout_backward(dvalues: np.ndarray, binary_mask: np.ndarray) -> np.ndarray:
    """output = x * mask (mask already scaled by 1/keep-rate), so dL/dx = dvalues * mask."""
    return dvalues * binary_mask


# --------------------------------------------------------------------------- convolution and pooling
# Beyond the book: direct loops over every output position, the definition itself, with
# the backward pass written as the adjoint of each loop body (one += per term of the sum).

def _padded(inputs: np.ndarray, padding: tuple[int, int], fill: float = 0.0) -> np.ndarray:
    ph, pw = padding
    samples, channels, height, width = inputs.shape
    out = np.full((samples, channels, height + 2 * ph, width + 2 * pw), fill, dtype=inputs.dtype)
    out[:, :, ph:ph + height, pw:pw + width] = inputs
    return out


def _output_side(side: int, kernel: int, stride: int, padding: int) -> int:
    return (side + 2 * padding - kernel) // stride + 1


def conv2d_forward(inputs: np.ndarray, weights: np.ndarray, biases: np.ndarray,
                   stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """out[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] * x_padded[n, c, i*sh + p, j*sw + q]."""
    samples, _channels, height, width = inputs.shape
    filters, _, kh, kw = weights.shape
    rows = _output_side(height, kh, stride[0], padding[0])
    columns = _output_side(width, kw, stride[1], padding[1])
    x = _padded(inputs, padding)
    out = np.zeros((samples, filters, rows, columns))
    for n in range(samples):
        for f in range(filters):
            for i in range(rows):
                for j in range(columns):
                    top, left = i * stride[0], j * stride[1]
                    out[n, f, i, j] = np.sum(weights[f] * x[n, :, top:top + kh, left:left + kw]) + biases[f]
    return out


def conv2d_backward(dvalues: np.ndarray, inputs: np.ndarray, weights: np.ndarray, stride: tuple[int, int],
                    padding: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each output is a dot product of w[f] with one window, so for every (n, f, i, j):
    dW[f] += dvalues * window, dX_window += dvalues * w[f], db[f] += dvalues. The padding
    is cut off dX at the end."""
    samples, _channels, height, width = inputs.shape
    filters, _, kh, kw = weights.shape
    _, _, rows, columns = dvalues.shape
    x = _padded(inputs, padding)
    dweights = np.zeros_like(weights)
    dx = np.zeros_like(x)
    dbiases = np.zeros(filters)
    for n in range(samples):
        for f in range(filters):
            for i in range(rows):
                for j in range(columns):
                    top, left = i * stride[0], j * stride[1]
                    upstream = dvalues[n, f, i, j]
                    dweights[f] += upstream * x[n, :, top:top + kh, left:left + kw]
                    dx[n, :, top:top + kh, left:left + kw] += upstream * weights[f]
                    dbiases[f] += upstream
    ph, pw = padding
    return dx[:, :, ph:ph + height, pw:pw + width], dweights, dbiases


def max_pool2d_forward(inputs: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
                       padding: tuple[int, int]) -> np.ndarray:
    """out[n, c, i, j] = the largest element of the window (padding never wins: -inf)."""
    return _pool(inputs, kernel, stride, padding, np.max, -np.inf)


def avg_pool2d_forward(inputs: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
                       padding: tuple[int, int]) -> np.ndarray:
    """out[n, c, i, j] = the mean of the window, padded zeros included."""
    return _pool(inputs, kernel, stride, padding, np.mean, 0.0)


def _pool(inputs, kernel, stride, padding, reduce, fill) -> np.ndarray:
    samples, channels, height, width = inputs.shape
    rows = _output_side(height, kernel[0], stride[0], padding[0])
    columns = _output_side(width, kernel[1], stride[1], padding[1])
    x = _padded(inputs, padding, fill)
    out = np.zeros((samples, channels, rows, columns))
    for i in range(rows):
        for j in range(columns):
            top, left = i * stride[0], j * stride[1]
            out[:, :, i, j] = reduce(x[:, :, top:top + kernel[0], left:left + kernel[1]], axis=(2, 3))
    return out


def max_pool2d_backward(dvalues: np.ndarray, inputs: np.ndarray, kernel: tuple[int, int],
                        stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """The routing: each output's gradient goes, whole, to the one input that was the
    window's maximum (inputs without ties); every other input of the window gets 0."""
    samples, channels, height, width = inputs.shape
    _, _, rows, columns = dvalues.shape
    x = _padded(inputs, padding, -np.inf)
    dx = np.zeros_like(x)
    for n in range(samples):
        for c in range(channels):
            for i in range(rows):
                for j in range(columns):
                    top, left = i * stride[0], j * stride[1]
                    window = x[n, c, top:top + kernel[0], left:left + kernel[1]]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, top + p, left + q] += dvalues[n, c, i, j]
    ph, pw = padding
    return dx[:, :, ph:ph + height, pw:pw + width]


def avg_pool2d_backward(dvalues: np.ndarray, inputs: np.ndarray, kernel: tuple[int, int],
                        stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """Every input of a window gets 1/(kh*kw) of that window's gradient."""
    samples, channels, height, width = inputs.shape
    _, _, rows, columns = dvalues.shape
    dx = np.zeros((samples, channels, height + 2 * padding[0], width + 2 * padding[1]))
    for i in range(rows):
        for j in range(columns):
            top, left = i * stride[0], j * stride[1]
            share = dvalues[:, :, i, j] / (kernel[0] * kernel[1])
            dx[:, :, top:top + kernel[0], left:left + kernel[1]] += share[:, :, None, None]
    ph, pw = padding
    return dx[:, :, ph:ph + height, pw:pw + width]


# --------------------------------------------------------------------------- optimizers

class BookOptimizer:
    """The book's optimizer loop on dicts of NumPy arrays (name -> array), updated in place.

    current_learning_rate = learning_rate / (1 + decay * iterations), computed before
    each step; `iterations` counts the steps taken. Per-parameter state is kept by name.
    """

    def __init__(self, learning_rate: float, decay: float = 0.0) -> None:
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """pre_update_params, update_params for every parameter, post_update_params."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))
        for name, param in params.items():
            state = self.state.setdefault(name, {})
            param += self.update(state, param, grads[name])
        self.iterations += 1

    def update(self, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class SGD(BookOptimizer):
    """update = momentum * previous_update - lr * grad (plain -lr * grad without momentum)."""

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, momentum: float = 0.0) -> None:
        super().__init__(learning_rate, decay)
        self.momentum = momentum

    def update(self, state, param, grad):
        if not self.momentum:
            return -self.current_learning_rate * grad
        momentums = state.get("momentums", np.zeros_like(param))
        state["momentums"] = self.momentum * momentums - self.current_learning_rate * grad
        return state["momentums"]


class Adagrad(BookOptimizer):
    """cache += grad^2;  update = -lr * grad / (sqrt(cache) + epsilon)."""

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon

    def update(self, state, param, grad):
        state["cache"] = state.get("cache", np.zeros_like(param)) + grad**2
        return -self.current_learning_rate * grad / (np.sqrt(state["cache"]) + self.epsilon)


class RMSprop(BookOptimizer):
    """cache = rho * cache + (1 - rho) grad^2;  update = -lr * grad / (sqrt(cache) + epsilon)."""

    def __init__(self, learning_rate: float = 0.001, decay: float = 0.0, epsilon: float = 1e-7, rho: float = 0.9) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon
        self.rho = rho

    def update(self, state, param, grad):
        cache = state.get("cache", np.zeros_like(param))
        state["cache"] = self.rho * cache + (1 - self.rho) * grad**2
        return -self.current_learning_rate * grad / (np.sqrt(state["cache"]) + self.epsilon)


class Adam(BookOptimizer):
    """m = b1 m + (1 - b1) grad, v = b2 v + (1 - b2) grad^2, both bias-corrected by
    1 - beta^(iterations + 1);  update = -lr * m_hat / (sqrt(v_hat) + epsilon)."""

    def __init__(
        self, learning_rate: float = 0.001, decay: float = 0.0, epsilon: float = 1e-7,
        beta_1: float = 0.9, beta_2: float = 0.999,
    ) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def update(self, state, param, grad):
        momentums = state.get("momentums", np.zeros_like(param))
        cache = state.get("cache", np.zeros_like(param))
        state["momentums"] = self.beta_1 * momentums + (1 - self.beta_1) * grad
        state["cache"] = self.beta_2 * cache + (1 - self.beta_2) * grad**2
        momentums_corrected = state["momentums"] / (1 - self.beta_1 ** (self.iterations + 1))
        cache_corrected = state["cache"] / (1 - self.beta_2 ** (self.iterations + 1))
        return -self.current_learning_rate * momentums_corrected / (np.sqrt(cache_corrected) + self.epsilon)
