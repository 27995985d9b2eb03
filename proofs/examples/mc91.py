def mc91(n):
    """McCarthy's 91 function: 91 for every n <= 100, n - 10 above."""
    if n > 100:
        return n - 10
    return mc91(mc91(n + 11))
