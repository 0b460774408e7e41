"""nn: the book "Neural Networks from Scratch" rebuilt on tensorgrad.

Layers, activations and losses write forward passes only; tensorgrad differentiates them.
"""
from .module import Module, Sequential
from .layers import Dense, Dropout, Flatten
from .convolution import AvgPool2D, Conv2D, MaxPool2D
from .activations import Activation, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss, MeanAbsoluteError, MeanSquaredError
from .optimizers import SGD, Adagrad, Adam, Optimizer, RMSprop
from .metrics import (
    Accuracy, CategoricalAccuracy, RegressionAccuracy, classification_report, confusion_matrix, format_report,
)
from .model import Model
from .files import ModelFileError
from .data import batches, scale_and_flatten, scale_images, shuffle, sine_data, spiral_data, vertical_data
from .images import ImageFileError, prepare_image, read_image
from .datasets import FASHION_MNIST_LABELS, DatasetError, download_fashion_mnist, load_fashion_mnist

__all__ = [
    "Module", "Sequential",
    "Dense", "Dropout", "Flatten", "Conv2D", "MaxPool2D", "AvgPool2D",
    "Activation", "ReLU", "Softmax", "Sigmoid", "Linear", "Tanh",
    "Loss", "CategoricalCrossEntropy", "BinaryCrossEntropy", "MeanSquaredError", "MeanAbsoluteError",
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam",
    "Accuracy", "CategoricalAccuracy", "RegressionAccuracy", "confusion_matrix", "classification_report",
    "format_report",
    "Model", "ModelFileError",
    "spiral_data", "vertical_data", "sine_data", "batches",
    "load_fashion_mnist", "download_fashion_mnist", "DatasetError", "FASHION_MNIST_LABELS",
    "scale_and_flatten", "scale_images", "shuffle",
    "ImageFileError", "read_image", "prepare_image",
]
