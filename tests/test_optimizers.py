"""The update rules of core.optimizers against independent statements of them: the
momentum formula the project has always used, scikit-learn's SGD (Nesterov) and Adam
optimizers, and closed forms under a constant gradient."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from tui_backprop.core.config import OPTIMIZERS, ConfigError, TrainingConfig, UpdateRule
from tui_backprop.core.optimizers import OptimizerState

RNG = np.random.default_rng(7)
GRADIENTS = [RNG.normal(size=5) * 10.0 ** RNG.integers(-3, 3) for _ in range(30)]


def run(rule: UpdateRule, gradients: list[np.ndarray], decays: bool = True) -> np.ndarray:
    theta = np.linspace(-1.0, 1.0, 5)
    state = OptimizerState.zeros(5)
    for g in gradients:
        state.update(rule, theta, g, decays)
    return theta


def test_momentum_is_the_projects_rule() -> None:
    rule = UpdateRule(alpha=0.3, momentum=0.8, optimizer="momentum")
    theta, d_prev = np.linspace(-1.0, 1.0, 5), np.zeros(5)
    for g in GRADIENTS:
        d_prev = -0.3 * g + 0.8 * d_prev  # d = -alpha g + mu d_prev
        theta = theta + d_prev
    assert np.array_equal(run(rule, GRADIENTS), theta)


def test_sgd_ignores_momentum() -> None:
    rule = UpdateRule(alpha=0.3, momentum=0.8, optimizer="sgd")
    expected = np.linspace(-1.0, 1.0, 5) - 0.3 * np.sum(GRADIENTS, axis=0)
    assert np.allclose(run(rule, GRADIENTS), expected, rtol=1e-13, atol=1e-13)


def test_nesterov_is_scikit_learns() -> None:
    rule = UpdateRule(alpha=0.05, momentum=0.7, optimizer="nesterov")
    theta = np.linspace(-1.0, 1.0, 5)
    sklearn = SGDOptimizer([theta], 0.05, lr_schedule="constant", momentum=0.7, nesterov=True)
    for g in GRADIENTS:
        sklearn.update_params([theta], [g])
    assert np.allclose(run(rule, GRADIENTS), theta, rtol=1e-13, atol=1e-13)


def test_adam_is_scikit_learns_when_eps_vanishes() -> None:
    # scikit-learn folds the bias corrections into the learning rate and adds eps to
    # sqrt(s) uncorrected; with eps negligible the two are the same step.
    rule = UpdateRule(alpha=0.01, optimizer="adam", beta1=0.8, beta2=0.95, eps=1e-300)
    theta = np.linspace(-1.0, 1.0, 5)
    sklearn = AdamOptimizer([theta], 0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-300)
    for g in GRADIENTS:
        sklearn.update_params([theta], [g])
    assert np.allclose(run(rule, GRADIENTS), theta, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", ["adam", "adagrad", "rmsprop"])
def test_first_step_is_alpha_against_the_sign(optimizer: str) -> None:
    rule = UpdateRule(alpha=0.01, optimizer=optimizer, rho=0.9, eps=1e-8)
    g = np.array([1e-4, -3.0, 250.0, -1e-2, 0.5])
    theta = np.zeros(5)
    state = OptimizerState.zeros(5)
    d = state.update(rule, theta, g)
    scale = 1.0 if optimizer != "rmsprop" else np.sqrt(1.0 - 0.9)  # s = (1 - rho) g^2
    assert np.allclose(d, -0.01 * g / (scale * np.abs(g) + 1e-8), rtol=1e-14)
    assert np.array_equal(theta, d)


def test_constant_gradient_closed_forms() -> None:
    g = np.array([2.0, -0.5, 1e-3, 7.0, -40.0])
    for t in range(1, 40):
        adam, adagrad, rmsprop = (
            OptimizerState.zeros(5),
            OptimizerState.zeros(5),
            OptimizerState.zeros(5),
        )
        for _ in range(t):
            d_adam = adam.update(UpdateRule(alpha=0.1, optimizer="adam"), np.zeros(5), g)
            d_adagrad = adagrad.update(UpdateRule(alpha=0.1, optimizer="adagrad"), np.zeros(5), g)
            d_rmsprop = rmsprop.update(
                UpdateRule(alpha=0.1, optimizer="rmsprop", rho=0.5), np.zeros(5), g
            )
        eps = 1e-8
        assert np.allclose(d_adam, -0.1 * g / (np.abs(g) + eps), rtol=1e-12)
        assert np.allclose(d_adagrad, -0.1 * g / (np.sqrt(t) * np.abs(g) + eps), rtol=1e-12)
        scale = np.sqrt(1.0 - 0.5**t)
        assert np.allclose(d_rmsprop, -0.1 * g / (scale * np.abs(g) + eps), rtol=1e-12)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_weight_decay_is_the_gradient_of_the_penalty(optimizer: str) -> None:
    # The penalty lambda/2 |theta|^2 has gradient lambda theta: an update with weight
    # decay on gradient g is the update without it on g + lambda theta.
    lam = 0.25
    theta, plain = np.linspace(-1.0, 1.0, 5), np.linspace(-1.0, 1.0, 5)
    decayed, undecayed = OptimizerState.zeros(5), OptimizerState.zeros(5)
    with_decay = UpdateRule(alpha=0.1, optimizer=optimizer, weight_decay=lam)
    without = UpdateRule(alpha=0.1, optimizer=optimizer)
    for g in GRADIENTS[:10]:
        undecayed.update(without, plain, g + lam * theta)
        decayed.update(with_decay, theta, g)
        assert np.array_equal(theta, plain)
    # Parameters that do not decay (biases) see g alone.
    assert np.array_equal(run(with_decay, GRADIENTS, decays=False), run(without, GRADIENTS))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("optimizer", "adamw"),
        ("beta1", 1.0),
        ("beta2", -0.1),
        ("rho", float("nan")),
        ("eps", 0.0),
        ("weight_decay", -1e-3),
        ("decay_biases", 1),
    ],
)
def test_bad_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"training.{field}"):
        TrainingConfig(**{field: value})  # type: ignore[arg-type]


def test_a_training_config_is_its_rule() -> None:
    settings = TrainingConfig(alpha=0.2, optimizer="rmsprop", rho=0.5, epochs=3, seed=4)
    assert settings.rule == UpdateRule(alpha=0.2, optimizer="rmsprop", rho=0.5)
