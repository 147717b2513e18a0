"""SciPy's minimize on the problems of bench/minimize.lua, side by side.

Usage: /usr/bin/python3 bench/scipy_minimize.py [DIR]   (after bench/minimize.lua DIR)

Counts the iterations (and function evaluations) SciPy's BFGS, L-BFGS-B and CG
need until the gradient's 2-norm first drops below 1e-6: the same test lunet
stops on (SciPy's own gtol uses the max-norm, so it is set far lower here and
the iterate is watched through the callback). Prints both counts and their
ratio against the targets of issue 10 (BFGS, L-BFGS at most 1.5x, CG 2x).
"""
import os
import sys

import numpy as np
from scipy.optimize import minimize

TOL = 1e-6
LIMITS = {"bfgs": 1.5, "lbfgs": 1.5, "cg": 2.0}
SCIPY = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "cg": "CG"}


def rosenbrock(x):
    a, b = x
    cost = (1 - a) ** 2 + 100 * (b - a * a) ** 2
    grad = np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
    return cost, grad


def quadratic(a, b):
    """x'Ax/2 - b'x up to a constant, as (x - x*)'A(x - x*)/2 (see minimize.lua)."""
    xstar = np.linalg.solve(a, b)

    def f(x):
        ae = a @ (x - xstar)
        return 0.5 * (x - xstar) @ ae, ae
    return f


def count(f, x0, method):
    """Iterations and evaluations until |grad|_2 < TOL (None if never)."""
    calls = [0]
    seen = {"iter": 0, "hit": None}

    def fun(x):
        calls[0] += 1
        return f(x)

    def callback(xk, *_):
        seen["iter"] += 1
        if seen["hit"] is None and np.linalg.norm(f(xk)[1]) < TOL:
            seen["hit"] = (seen["iter"], calls[0])

    options = {"maxiter": 10000}
    if method == "L-BFGS-B":
        options.update(gtol=1e-14, ftol=0.0)
    else:
        options.update(gtol=1e-14)
    res = minimize(fun, x0, jac=True, method=method, callback=callback, options=options)
    if seen["hit"] is None and np.linalg.norm(res.jac) < TOL:
        seen["hit"] = (res.nit, res.nfev)
    return seen["hit"]


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench-minimize"
    a = np.load(os.path.join(d, "A.npy"))
    b = np.load(os.path.join(d, "b.npy"))
    w = np.linalg.eigvalsh(a)
    problems = {
        "rosenbrock": (rosenbrock, np.array([-1.2, 1.0])),
        "quadratic100": (quadratic(a, b), np.zeros(len(b))),
    }
    lunet = {}
    path = os.path.join(d, "lunet.txt")
    if os.path.exists(path):
        for line in open(path):
            p, m, it, ev, _ = line.split()
            lunet[(p, m)] = (int(it), int(ev))
    print(f"quadratic: n = {len(b)}, condition number {w[-1] / w[0]:.1f}; stop at |grad|_2 < {TOL:g}")
    print(f"{'problem':13} {'method':6} {'scipy iters':>11} {'evals':>6} {'lunet iters':>11} {'evals':>6} "
          f"{'ratio':>6} {'target':>6}")
    ok = True
    for name, (f, x0) in problems.items():
        for method in ("bfgs", "lbfgs", "cg"):
            hit = count(f, x0, SCIPY[method])
            mine = lunet.get((name, method))
            si, se = hit if hit else (float("nan"), float("nan"))
            li, le = mine if mine else (float("nan"), float("nan"))
            ratio = li / si if hit and mine else float("nan")
            good = ratio <= LIMITS[method]
            ok = ok and good
            print(f"{name:13} {method:6} {si:>11} {se:>6} {li:>11} {le:>6} {ratio:>6.2f} "
                  f"{'<= ' + str(LIMITS[method]):>6} {'ok' if good else 'MISSED'}")
    print("all within target" if ok else "some targets missed")


if __name__ == "__main__":
    main()
