"""Equations of lines and curves: ``2x+4y-3=0`` and ``y=-\\frac{1}{2}x+\\frac{3}{4}`` are one line.

An equation ``L = R`` whose sides are polynomials (single-letter variables, integer powers,
rational coefficients) is read as the polynomial ``P = L - R``. Two equations in at least two
variables describe the same curve when ``P_pred = c * P_gold`` for a rational ``c != 0`` (a
multiple of an equation is the same equation). Reading is exact and bounded (length, nesting,
powers and number of terms are capped), so it needs neither sympy nor a timeout. Anything that
is not plainly a polynomial is not read: ``f(x)`` (a function or a product?), ``2\\frac{1}{2}``
(a mixed number or a product?), ``x^12`` (``x^1 \\cdot 2`` in LaTeX), subscripts, commands.
"""

from __future__ import annotations

import re
from fractions import Fraction

Monomial = tuple[tuple[str, int], ...]
"""Sorted (variable, power) pairs; ``()`` is the constant term."""
Polynomial = dict[Monomial, Fraction]
"""Monomial -> nonzero coefficient."""

MAX_EQUATION_CHARS = 200
MAX_POWER = 12
MAX_TERMS = 64
MAX_NESTING = 16

_TOKEN = re.compile(
    r"\s*(\d+(?:\.\d+)?|\.\d+|\\frac(?![A-Za-z])|\\cdot(?![A-Za-z])|\\times(?![A-Za-z])|[A-Za-z]|[-+*/^(){}])"
)


class _NotAPolynomial(Exception):
    """The text is not plainly a polynomial."""


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _NotAPolynomial
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _checked(polynomial: Polynomial) -> Polynomial:
    if len(polynomial) > MAX_TERMS:
        raise _NotAPolynomial
    return {monomial: c for monomial, c in polynomial.items() if c != 0}


def _add(left: Polynomial, right: Polynomial, sign: int = 1) -> Polynomial:
    total = dict(left)
    for monomial, coefficient in right.items():
        total[monomial] = total.get(monomial, Fraction(0)) + sign * coefficient
    return _checked(total)


def _multiply(left: Polynomial, right: Polynomial) -> Polynomial:
    product: Polynomial = {}
    for left_monomial, left_coefficient in left.items():
        for right_monomial, right_coefficient in right.items():
            powers = dict(left_monomial)
            for variable, power in right_monomial:
                powers[variable] = powers.get(variable, 0) + power
            monomial = tuple(sorted(powers.items()))
            product[monomial] = product.get(monomial, Fraction(0)) + left_coefficient * right_coefficient
        if len(product) > MAX_TERMS:
            raise _NotAPolynomial
    return _checked(product)


def _constant(polynomial: Polynomial) -> Fraction:
    """The value of a constant polynomial; not a polynomial if it has variables or is zero (a divisor)."""
    if set(polynomial) != {()}:
        raise _NotAPolynomial
    return polynomial[()]


class _Parser:
    """Recursive descent over ``expression := term (('+'|'-') term)*``, ``term := factor (['\\cdot'
    |'\\times'|'*'|'/'] factor)*``, ``factor := ('+'|'-') factor | base ['^' power]``, ``base :=
    number | letter | '(' expression ')' | '{' expression '}' | '\\frac{' expression '}{' expression '}'``."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _NotAPolynomial
        self.index += 1
        return token

    def whole(self) -> Polynomial:
        polynomial = self.expression()
        if self.peek() is not None:
            raise _NotAPolynomial
        return polynomial

    def expression(self) -> Polynomial:
        total = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            total = _add(total, self.term(), sign)
        return total

    def term(self) -> Polynomial:
        product = self.factor()
        while True:
            token = self.peek()
            if token in ("\\cdot", "\\times", "*"):
                self.take()
                product = _multiply(product, self.factor())
            elif token == "/":
                self.take()
                product = _multiply(product, {(): 1 / _constant(self.factor())})
            elif token is not None and self._implicit_product(self.tokens[self.index - 1], token):
                product = _multiply(product, self.factor())
            else:
                return product

    @staticmethod
    def _implicit_product(previous: str, token: str) -> bool:
        """``2x``, ``xy``, ``3(x+1)``, ``(x+1)(x-1)``; never a number after anything (``2 3``),
        ``\\frac`` after a number (a mixed number) or ``(`` after a letter (a function)."""
        if token[0].isdigit() or token[0] == ".":
            return False
        if token == "\\frac":
            if previous[0].isdigit():
                raise _NotAPolynomial
            return True
        if token in ("(", "{"):
            if previous.isalpha():
                raise _NotAPolynomial
            return True
        return token.isalpha()

    def factor(self) -> Polynomial:
        if self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            return {monomial: sign * c for monomial, c in self.factor().items()}
        base = self.base()
        if self.peek() != "^":
            return base
        self.take("^")
        power = self.power()
        result: Polynomial = {(): Fraction(1)}
        for _ in range(power):
            result = _multiply(result, base)
        return result

    def power(self) -> int:
        """A one-digit power (``x^2``) or a braced integer (``x^{10}``), at most ``MAX_POWER``."""
        token = self.take()
        if token == "{":
            token = self.take()
            self.take("}")
        elif len(token) != 1:
            raise _NotAPolynomial
        if not token.isdigit() or int(token) > MAX_POWER:
            raise _NotAPolynomial
        return int(token)

    def base(self) -> Polynomial:
        token = self.take()
        if token[0].isdigit() or token[0] == ".":
            return _checked({(): Fraction(token)})
        if token.isalpha():
            return {((token, 1),): Fraction(1)}
        if token in ("(", "{"):
            inner = self.nested()
            self.take(")" if token == "(" else "}")
            return inner
        if token == "\\frac":
            self.take("{")
            numerator = self.nested()
            self.take("}")
            self.take("{")
            denominator = _constant(self.nested())
            self.take("}")
            return {monomial: c / denominator for monomial, c in numerator.items()}
        raise _NotAPolynomial

    def nested(self) -> Polynomial:
        """An expression inside braces or parentheses, at most ``MAX_NESTING`` deep."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _NotAPolynomial
        inner = self.expression()
        self.depth -= 1
        return inner


def equation_polynomial(text: str) -> Polynomial | None:
    """``L - R`` for an equation ``L = R`` with polynomial sides, else None (also when it is 0)."""
    if text.count("=") != 1 or len(text) > MAX_EQUATION_CHARS:
        return None
    left, right = text.split("=")
    try:
        difference = _add(_Parser(left).whole(), _Parser(right).whole(), -1)
    except (_NotAPolynomial, ZeroDivisionError):
        return None
    return difference or None


def _variables(polynomial: Polynomial) -> set[str]:
    return {variable for monomial in polynomial for variable, _ in monomial}


def same_curve(pred: str, gold: str) -> bool:
    """Whether two equations in at least two variables are multiples of each other."""
    if "=" not in pred or "=" not in gold:
        return False
    pred_polynomial, gold_polynomial = equation_polynomial(pred), equation_polynomial(gold)
    if pred_polynomial is None or gold_polynomial is None or len(_variables(gold_polynomial)) < 2:
        return False
    if set(pred_polynomial) != set(gold_polynomial):
        return False
    some_monomial = next(iter(gold_polynomial))
    ratio = pred_polynomial[some_monomial] / gold_polynomial[some_monomial]
    return all(pred_polynomial[m] == ratio * c for m, c in gold_polynomial.items())
