"""minitorch.nn: PyTorch-shaped modules, layers, losses, initializers, checkpoints.

    import minitorch.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = nn.CrossEntropyLoss()(model(x), y)
    nn.save("ckpt.safetensors", model=model, optimizer=opt, epoch=3)
"""

from . import functional, init, utils
from .activation import (
    ELU,
    GELU,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Tanh,
)
from .checkpoint import CheckpointError, checkpoint_metadata, load, save
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout, Dropout1d, Dropout2d
from .embedding import Embedding
from .flatten import Flatten
from .linear import Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm
from .padding import (
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    Upsample,
    UpsamplingNearest2d,
    ZeroPad2d,
)
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "ELU", "GELU", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "CheckpointError", "CircularPad2d",
    "ConstantPad1d", "ConstantPad2d", "Conv1d", "Conv2d", "CrossEntropyLoss", "Dropout",
    "Dropout1d", "Dropout2d", "Embedding", "Flatten", "GroupNorm", "Hardtanh", "HuberLoss", "Identity",
    "IncompatibleKeys", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d",
    "Module", "ModuleList", "NLLLoss", "Parameter", "ReLU", "ReLU6", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss",
    "Softmax", "Softmin", "StateDictError", "Tanh", "Upsample", "UpsamplingNearest2d", "ZeroPad2d",
    "checkpoint_metadata", "functional", "init", "load", "save", "utils",
]
