def gcd(a, b):
    """Euclid's algorithm: Python's % has the sign of b, and |a % b| < |b|."""
    if b == 0:
        return a
    return gcd(b, a % b)
