"""`import minitorch.torch as torch`: the swap the README documents is one line per
import, and what it reaches is minitorch's own objects under torch's names."""

from __future__ import annotations

import importlib

import pytest

import minitorch.nn
import minitorch.optim
import minitorch.tensor as mt


@pytest.mark.parametrize("name,target", [
    ("minitorch.torch.nn", "minitorch.nn"),
    ("minitorch.torch.nn.functional", "minitorch.nn.functional"),
    ("minitorch.torch.nn.utils", "minitorch.nn.utils"),
    ("minitorch.torch.optim", "minitorch.optim"),
    ("minitorch.torch.optim.lr_scheduler", "minitorch.optim.lr_scheduler"),
    ("minitorch.torch.utils.data", "minitorch.data"),
    ("minitorch.torch.cuda", "minitorch.tensor.cuda"),
])
def test_torch_submodules_are_minitorch_modules(name, target):
    assert importlib.import_module(name) is importlib.import_module(target)


def test_the_namespace_is_minitorch_tensors():
    import minitorch.torch as torch

    assert torch.tensor is mt.tensor and torch.Tensor is mt.Tensor
    assert torch.long is mt.int64 and torch.float is mt.float32 and torch.bool is mt.bool_
    assert torch.nn.Module is minitorch.nn.Module and torch.optim.SGD is minitorch.optim.SGD
    assert torch.utils.data.DataLoader is minitorch.data.DataLoader
    assert torch.accelerator.is_available() == torch.cuda.is_available()
    from minitorch.torch.utils.data import DataLoader

    assert DataLoader is minitorch.data.DataLoader


def test_torch_save_and_load_are_the_safetensors_serializer(tmp_path):
    import minitorch.nn.serialization
    import minitorch.torch as torch
    import minitorch.torch.nn as nn

    assert torch.save is minitorch.nn.serialization.save
    assert torch.load is minitorch.nn.serialization.load
    # The two lines of PyTorch code everyone writes, unchanged.
    model, fresh = nn.Linear(3, 2), nn.Linear(3, 2)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    fresh.load_state_dict(torch.load(tmp_path / "model.pt"))
    x = torch.randn(2, 3)
    assert fresh(x).tolist() == model(x).tolist()
    assert fresh.weight.tolist() != nn.Linear(3, 2).weight.tolist()  # not a fresh init


def test_nn_utils_is_reachable_as_pytorch_code_reaches_it():
    import minitorch.nn.utils
    import minitorch.torch as torch
    from minitorch.torch.nn.utils import clip_grad_norm_, parameters_to_vector

    assert torch.nn.utils is minitorch.nn.utils
    assert clip_grad_norm_ is torch.nn.utils.clip_grad_norm_ is minitorch.nn.utils.clip_grad_norm_
    assert parameters_to_vector is minitorch.nn.utils.parameters_to_vector
    assert torch.nn.utils.clip_grad.clip_grad_value_ is minitorch.nn.utils.clip_grad_value_


def test_a_pytorch_training_step_runs_with_the_imports_swapped():
    import minitorch.torch as torch
    import minitorch.torch.nn as nn
    import minitorch.torch.nn.functional as F
    import minitorch.torch.optim as optim

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, target = torch.randn(16, 4), torch.randint(0, 3, (16,))
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        pred = model(x).argmax(dim=1, keepdim=True)
        correct = pred.eq(target.view_as(pred)).sum().item()
    assert isinstance(correct, int) and losses[-1] < losses[0]
    assert f"{loss:.4f}" == f"{losses[-1]:.4f}"


def test_the_pytorch_mnist_example_surface_trains_with_the_imports_swapped():
    # The calls pytorch/examples' mnist/main.py makes, on a slice of the embedded
    # digits: torchvision-shaped MNIST and transforms, Conv2d / Dropout / flatten /
    # log_softmax / nll_loss, Adadelta and StepLR, integer accuracy counts.
    import minitorch.torch as torch
    import minitorch.torch.nn as nn
    import minitorch.torch.nn.functional as F
    import minitorch.torch.optim as optim
    from minitorch.data.vision import datasets, transforms
    from minitorch.torch.optim.lr_scheduler import StepLR

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.fc1 = nn.Linear(4 * 13 * 13, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = torch.flatten(self.dropout1(x), 1)
            return F.log_softmax(self.fc1(x), dim=1)

    torch.manual_seed(1)
    # The script asks torch.accelerator first; here the answer may be the CUDA
    # simulator (another package's tests enable it), far too slow to train on.
    assert (torch.accelerator.current_accelerator() is None) != torch.accelerator.is_available()
    device = torch.device("cpu")
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST("../data", train=True, download=True, transform=transform)
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(train, list(range(256))),
                                         batch_size=64)
    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    model.train()
    for data, target in loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
    scheduler.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            pred = model(data.to(device)).argmax(dim=1, keepdim=True)
            correct += pred.eq(target.to(device).view_as(pred)).sum().item()
    assert isinstance(correct, int) and correct > 256 // 10 * 2  # well above chance
    assert train[0][0].shape == (1, 28, 28) and isinstance(train[0][1], int)
    assert optimizer.param_groups[0]["lr"] == 0.7
