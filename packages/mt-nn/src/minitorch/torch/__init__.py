"""`import minitorch.torch as torch`: the one line PyTorch code changes.

An alias module, holding no logic of its own: the torch namespace is
`minitorch.tensor`'s, and torch's submodules are minitorch's own modules under
torch's names (the very same module objects, so ``torch.nn.Module is
minitorch.nn.Module``)::

    import minitorch.torch as torch            # import torch
    import minitorch.torch.nn as nn            # import torch.nn as nn
    import minitorch.torch.nn.functional as F  # import torch.nn.functional as F
    import minitorch.torch.optim as optim      # import torch.optim as optim
    from minitorch.torch.optim.lr_scheduler import StepLR
    from minitorch.torch.utils.data import DataLoader, Dataset
    from minitorch.torch.nn.utils import clip_grad_norm_

    torch.save(model.state_dict(), "model.safetensors")   # safetensors, never pickle
    model.load_state_dict(torch.load("model.safetensors"))
"""

import importlib
import sys
import types

from minitorch.nn.serialization import load, save  # torch.save / torch.load
from minitorch.tensor import *  # noqa: F403
from minitorch.tensor import __all__ as _tensor_names

# torch's module name -> the minitorch module that is it.
ALIASES = {
    "nn": "minitorch.nn",
    "nn.functional": "minitorch.nn.functional",
    "nn.init": "minitorch.nn.init",
    "nn.utils": "minitorch.nn.utils",
    "optim": "minitorch.optim",
    "optim.lr_scheduler": "minitorch.optim.lr_scheduler",
    "utils.data": "minitorch.data",
    "cuda": "minitorch.tensor.cuda",
    "accelerator": "minitorch.tensor.accelerator",
}

# torch.utils holds only `data` here; it is a plain namespace module.
utils = types.ModuleType(__name__ + ".utils", "torch.utils: `data` is minitorch.data")
sys.modules[utils.__name__] = utils
for _name, _target in ALIASES.items():
    _module = importlib.import_module(_target)
    sys.modules[f"{__name__}.{_name}"] = _module
    _parent, _, _leaf = _name.rpartition(".")
    setattr(sys.modules[f"{__name__}.{_parent}"] if _parent else sys.modules[__name__], _leaf,
            _module)

__all__ = [*_tensor_names, *sorted({name.split(".")[0] for name in ALIASES}), "utils", "load",
           "save"]
