"""minitorch.optim: optimizers and learning-rate schedules, PyTorch-shaped.

    opt = optim.Adam(model.named_parameters(), lr=1e-3, weight_decay=1e-4)
    sched = optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    for epoch in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        sched.step()
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from .optimizer import Optimizer, OptimizerStateError
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "CosineAnnealingLR",
           "CosineAnnealingWarmRestarts", "ExponentialLR", "LRScheduler", "LambdaLR",
           "MultiStepLR", "OneCycleLR", "Optimizer", "OptimizerStateError", "RMSprop",
           "ReduceLROnPlateau", "StepLR", "lr_scheduler"]
