def fact(n):
    """Factorial, recursively (Python's integers do not overflow)."""
    if n <= 0:
        return 1
    return n * fact(n - 1)
