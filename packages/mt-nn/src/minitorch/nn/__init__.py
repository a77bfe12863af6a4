"""minitorch.nn: PyTorch-shaped modules, layers, losses and initializers.

    import minitorch.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = nn.CrossEntropyLoss()(model(x), y)
"""

from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import IncompatibleKeys, Module, StateDictError
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d", "BCEWithLogitsLoss", "Conv1d", "Conv2d", "CrossEntropyLoss", "Dropout",
    "Flatten", "IncompatibleKeys", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module",
    "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "StateDictError",
    "Tanh", "functional", "init",
]
