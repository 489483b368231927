"""The update rules, written the obvious way in NumPy: the oracle the kernels are tested
against, and what the race scene steps its optimizers with.

An update takes g, the batch's mean gradient dC/dtheta, and changes every parameter by d,
theta <- theta + d. With L2 weight decay lambda (a penalty lambda/2 |W|^2 added to the cost)
each rule uses g + lambda theta in place of g, for the weights (and the biases if asked).

========  ======================================================================  ==========
rule      the state it keeps, and d                                               source
========  ======================================================================  ==========
sgd       d = -alpha g                                                            [1]
momentum  v <- mu v - alpha g;  d = v                                             [2]
nesterov  v <- mu v - alpha g;  d = mu v - alpha g                                [3]
adagrad   G <- G + g^2;  d = -alpha g / (sqrt(G) + eps)                           [4]
rmsprop   s <- rho s + (1 - rho) g^2;  d = -alpha g / (sqrt(s) + eps)             [5]
adam      m <- beta1 m + (1 - beta1) g;  s <- beta2 s + (1 - beta2) g^2;          [6]
          m^ = m / (1 - beta1^t);  s^ = s / (1 - beta2^t);
          d = -alpha m^ / (sqrt(s^) + eps), t = 1, 2, ... the updates made with adam
========  ======================================================================  ==========

Squares, roots and divisions act on each parameter alone. The state lives in two arrays
the shape of theta: ``velocity`` holds v (momentum, nesterov) or m (adam), and for sgd,
adagrad and rmsprop the last change d; ``second`` holds G (adagrad) or s (rmsprop, adam),
and for nesterov, which has no use for it, the last change d; sgd and momentum leave it
unused. So the last change every rule made can be shown (``last_change``): it is
``velocity`` (``second`` for nesterov), or worked out from m, s and t for adam.

nesterov is Sutskever et al.'s accelerated gradient rewritten by Bengio et al. to use the
gradient at theta itself (as scikit-learn's ``nesterovs_momentum`` does): with v_new the
updated velocity, d = mu v_new - alpha g is the same step as taking the gradient at the
look-ahead point theta + mu v.

Adam's first step: m^ = g and s^ = g^2 exactly, so d = -alpha g / (|g| + eps), a step of
almost exactly alpha against the gradient's sign, whatever the gradient's size.

[1] Robbins & Monro 1951; [2] Polyak 1964, Rumelhart, Hinton & Williams 1986;
[3] Nesterov 1983; Sutskever, Martens, Dahl & Hinton 2013; Bengio, Boulanger-Lewandowski &
Pascanu 2013; [4] Duchi, Hazan & Singer 2011; [5] Hinton, Neural Networks for Machine
Learning, lecture 6e, 2012; [6] Kingma & Ba 2015.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import Floats
from .config import UpdateRule


@dataclass
class OptimizerState:
    """An optimizer's state for parameters theta of shape S.

    velocity : float64 S; v (momentum, nesterov), m (adam), else the last change d
    second   : float64 S; G (adagrad), s (rmsprop, adam), the last change d (nesterov),
               else unused (zero)
    t        : updates made since the state was zero (adam's bias corrections)
    """

    velocity: Floats
    second: Floats
    t: int = 0

    @classmethod
    def zeros(cls, shape: int | tuple[int, ...]) -> OptimizerState:
        """A fresh state: nothing seen yet."""
        return cls(np.zeros(shape), np.zeros(shape))

    def update(self, rule: UpdateRule, theta: Floats, grad: Floats, decays: bool = True) -> Floats:
        """One update of ``theta`` (see :func:`update`), counting it in ``t``. Returns d."""
        self.t += 1
        return update(rule, theta, grad, self.velocity, self.second, self.t, decays)


def penalised(rule: UpdateRule, theta: Floats, grad: Floats, decays: bool) -> Floats:
    """g + lambda theta (a new array), or g itself when there is no penalty here."""
    if rule.weight_decay == 0.0 or not decays:
        return grad
    return grad + rule.weight_decay * theta


def corrected_moments(rule: UpdateRule, m: Floats, s: Floats, t: int) -> tuple[Floats, Floats]:
    """Adam's bias-corrected moments after update t (from 1): m^ = m / (1 - beta1^t) and
    s^ = s / (1 - beta2^t), each of the state's shape. (``last_change`` works d out as the
    kernels do, with the reciprocals instead, for their bits.)"""
    return m / (1.0 - rule.beta1**t), s / (1.0 - rule.beta2**t)


def change(
    rule: UpdateRule, theta: Floats, grad: Floats, velocity: Floats, second: Floats, t: int
) -> Floats:
    """d for parameters theta (shape S) with mean gradient ``grad`` (S, already penalised),
    updating ``velocity`` and ``second`` (S) in place; ``t`` is this update's number under
    adam, from 1. theta is not changed."""
    alpha = rule.alpha
    name = rule.optimizer
    if name in ("momentum", "nesterov"):
        velocity *= rule.momentum
        velocity -= alpha * grad  # v <- mu v - alpha g
        if name == "momentum":
            return velocity.copy()
        second[...] = rule.momentum * velocity - alpha * grad
        return second.copy()
    if name == "adam":
        velocity *= rule.beta1
        velocity += (1.0 - rule.beta1) * grad
        second *= rule.beta2
        second += (1.0 - rule.beta2) * grad * grad
        m_hat, s_hat = corrected_moments(rule, velocity, second, t)
        return -alpha * m_hat / (np.sqrt(s_hat) + rule.eps)
    if name == "sgd":
        d = -alpha * grad
    else:
        if name == "adagrad":
            second += grad * grad
        else:  # rmsprop
            second *= rule.rho
            second += (1.0 - rule.rho) * grad * grad
        d = -alpha * grad / (np.sqrt(second) + rule.eps)
    velocity[...] = d
    return d


def last_change(rule: UpdateRule, velocity: Floats, second: Floats, t: int) -> Floats:
    """The change d the rule's last update made (a new array of the state's shape S), from
    its state after that update: ``velocity`` itself for sgd, momentum, adagrad and
    rmsprop, ``second`` for nesterov, and for adam d = -alpha m^ / (sqrt(s^) + eps) from m,
    s and t, in the kernels' arithmetic (m^ = m r1, s^ = s r2 with r = 1 / (1 - beta^t)),
    so the same number as the step they took. Zero before any update (t = 0)."""
    # + 0.0 throughout: a parameter whose gradient was 0 moved by 0, not by -0 (-alpha 0)
    if rule.optimizer == "nesterov":
        return second + 0.0
    if rule.optimizer != "adam":
        return velocity + 0.0
    if t == 0:
        return np.zeros_like(velocity)
    r1 = 1.0 / (1.0 - rule.beta1**t)
    r2 = 1.0 / (1.0 - rule.beta2**t)
    return -rule.alpha * (velocity * r1) / (np.sqrt(second * r2) + rule.eps) + 0.0


def update(
    rule: UpdateRule,
    theta: Floats,
    grad: Floats,
    velocity: Floats,
    second: Floats,
    t: int,
    decays: bool = True,
) -> Floats:
    """One update of ``theta`` (shape S, in place) from its mean gradient ``grad`` (S):
    theta <- theta + d. ``velocity`` and ``second`` (S) are the rule's state, changed in
    place; ``t`` is the update's number since the state was zero, from 1 (adam's bias
    corrections); ``decays``: the weight decay applies to these parameters (weights; biases
    only if the rule says so). Returns d."""
    g = penalised(rule, theta, grad, decays)
    d = change(rule, theta, g, velocity, second, t)
    theta += d
    return d
