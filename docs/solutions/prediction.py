"""Solutions to the exercises of docs/prediction.md."""
import numpy as np

import nn
import tensorgrad as tg
from nn.images import prepare_image


def exercise_1():
    """The argmax of the probabilities is the argmax of the logits (softmax is increasing),
    so predicting needs no softmax at all."""
    logits = np.random.default_rng(0).standard_normal((100, 10))
    probabilities = tg.Tensor(logits).softmax().data
    assert np.array_equal(np.argmax(logits, axis=1), nn.Softmax().predictions(probabilities))
    return int(np.argmax(logits[0]))


def exercise_2():
    """A dark garment on a light photo becomes a light garment on black, as in Fashion-MNIST."""
    photo = np.full((60, 40), 230, dtype=np.uint8)     # gray, light background
    photo[10:50, 10:30] = 30                            # the dark garment
    image = prepare_image(photo)
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert image[0, 0] == 0 and image[14, 14] > 150     # background black, garment bright
    return int(image[14, 14])


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
