"""Bad input to conv2d, pooling and pad is refused with a message naming what was
expected and what was given."""
import numpy as np
import pytest

import tensorgrad.functional as F

x = np.zeros((2, 3, 5, 5))
weight = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: F.conv2d(np.zeros((3, 5, 5)), weight), r"conv2d: x must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
        (lambda: F.conv2d(x, np.zeros((4, 3, 3))), r"weight must be 4-D \(F, C, kh, kw\), got shape \(4, 3, 3\)"),
        (lambda: F.conv2d(x, np.zeros((4, 2, 3, 3))),
         r"weight of shape \(4, 2, 3, 3\) expects 2 input channels, x of shape \(2, 3, 5, 5\) has 3"),
        (lambda: F.conv2d(x, weight, np.zeros(3)), r"bias must have shape \(4,\), one per filter, got \(3,\)"),
        (lambda: F.conv2d(x, np.zeros((4, 3, 6, 3))),
         r"kernel \(6, 3\) is larger than the padded input \(5, 5\) \(x of shape \(2, 3, 5, 5\), padding \(0, 0\)\)"),
        (lambda: F.conv2d(x, weight, stride=0), "conv2d: stride must be an int >= 1 or a pair of them, got 0"),
        (lambda: F.conv2d(x, weight, stride=1.5), "stride must be an int >= 1 or a pair of them, got 1.5"),  # type: ignore[arg-type]  # deliberately the wrong type
        (lambda: F.conv2d(x, weight, stride=(1, 2, 3)), r"got \(1, 2, 3\)"),  # type: ignore[arg-type]  # deliberately the wrong type
        (lambda: F.conv2d(x, weight, padding=-1), "padding must be an int >= 0"),
        (lambda: F.max_pool2d(x, 0), "max_pool2d: kernel_size must be an int >= 1 or a pair of them, got 0"),
        (lambda: F.max_pool2d(x, 2.0), "kernel_size must be an int >= 1"),  # type: ignore[arg-type]  # deliberately the wrong type
        (lambda: F.avg_pool2d(x, 2, stride=-2), "avg_pool2d: stride must be an int >= 1"),
        (lambda: F.max_pool2d(x, 6), r"kernel \(6, 6\) is larger than the padded input \(5, 5\)"),
        (lambda: F.max_pool2d(x, 2, padding=2), r"padding \(2, 2\) must be at most half the kernel size \(2, 2\)"),
        (lambda: F.avg_pool2d(np.zeros((5, 5)), 2), r"avg_pool2d: x must be 4-D \(N, C, H, W\), got shape \(5, 5\)"),
        (lambda: F.pad(x, 1, mode="wrap"), "pad: mode must be one of"),
        (lambda: F.pad(x, ((1, 1),) * 3), "pad: width must be a non-negative int, one pair or 4"),
        (lambda: F.pad(x, -1), "pad: width must be a non-negative int"),
        (lambda: F.pad(np.zeros((2, 3)), ((0, 0), (3, 0)), mode="reflect"),
         r"reflect padding \(3, 0\) must be smaller than axis 1 of length 3"),
        (lambda: F.pad(np.zeros((2, 0)), 1, mode="replicate"),
         r"pad: cannot replicate the edge of an empty axis \(shape \(2, 0\)\)"),
    ],
)
def test_bad_input_is_named(call, expected):
    with pytest.raises(ValueError, match=expected):
        call()


def test_pair_arguments_and_output_sizes_follow_pytorch():
    out = F.conv2d(np.zeros((1, 3, 9, 8)), np.zeros((2, 3, 3, 2)), stride=(2, 3), padding=(1, 0))
    assert out.shape == (1, 2, (9 + 2 - 3) // 2 + 1, (8 - 2) // 3 + 1)
    assert F.max_pool2d(np.zeros((1, 1, 7, 7)), 2).shape == (1, 1, 3, 3)  # stride defaults to the kernel
    assert F.avg_pool2d(np.zeros((1, 1, 7, 7)), 3, stride=2, padding=1).shape == (1, 1, 4, 4)
