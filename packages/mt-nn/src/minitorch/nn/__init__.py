"""minitorch.nn: PyTorch-shaped modules, layers, losses, initializers, checkpoints.

    import minitorch.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = nn.CrossEntropyLoss()(model(x), y)
    nn.save("ckpt.safetensors", model=model, optimizer=opt, epoch=3)
"""

from . import functional, init, utils
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .checkpoint import CheckpointError, checkpoint_metadata, load, save
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, StateDictError
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d", "BCEWithLogitsLoss", "CheckpointError", "Conv1d", "Conv2d", "CrossEntropyLoss",
    "NLLLoss",
    "Dropout", "Flatten", "IncompatibleKeys", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d",
    "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax",
    "StateDictError", "Tanh", "checkpoint_metadata", "functional", "init", "load", "save",
    "utils",
]
